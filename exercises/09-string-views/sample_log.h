/* Exercise 09: the sample log the memory test indexes, made up on the spot.
 * Part of the exercise's scaffolding: you do not need to change it. */
#ifndef SAMPLE_LOG_H
#define SAMPLE_LOG_H

#include <stddef.h>

/* The memory test's input: this many lines, about 270 KB. */
enum { SAMPLE_LOG_LINES = 4000 };

/* Returns a service's log of SAMPLE_LOG_LINES lines, each ending in '\n',
 * such as "WARN 000001 db: connection pool exhausted, ...", and stores its
 * length in *length.  Line i (from 0) is an ERROR when i % 10 is 3, a WARN
 * when it is 1 or 6, else an INFO; a fixed-seed generator picks the rest,
 * so the text is the same on every run.  It is built in static storage on
 * the first call: making it allocates nothing.  Not NUL-terminated. */
const char *sample_log(size_t *length);

#endif
