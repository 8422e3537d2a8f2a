/* Exercise 14: the report, written from the tally.  The contract the tests
 * check; do not change it. */
#ifndef REPORT_H
#define REPORT_H

#include "tally.h"

#include <stdbool.h>
#include <stddef.h>

/* Where the report goes: write(context, bytes, length) is called with the
 * whole report, and returns false if it could not take it. */
typedef struct report_sink {
    bool (*write)(void *context, const char *bytes, size_t length);
    void *context;
} report_sink;

/* How many pages, clients and referring sites the report lists. */
enum { REPORT_TOP_PAGES = 10, REPORT_TOP_CLIENTS = 5, REPORT_TOP_SITES = 5 };

/* Writes the report of `t`, the tally of the log called `name`, to `sink`.
 * Returns 0, ENOMEM if memory runs out, or EIO if the sink fails. */
int report_write(const tally *t, const char *name, const report_sink *sink);

#endif
