/* hb_results: what each memory test measured, kept for the results file
 * that `make check` reads.  Fixed storage: recording must not allocate. */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H

#include "hb_scope.h"

typedef struct hb_result {
    const char *test;
    unsigned failures; /* hb_failure bits */
    hb_usage usage;
} hb_result;

void hb_results_record(const char *test, unsigned failures, hb_usage usage);

/* The last result recorded for `test`, or NULL if it has none. */
const hb_result *hb_results_find(const char *test);

#endif
