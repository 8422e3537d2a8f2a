/* hb_results: what each memory test measured, kept for the results file
 * that `make check` reads.  Fixed storage: recording must not allocate. */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H

#include "hb_scope.h"

/* Why a test failed, as bits; tests that fail only on assertions have none. */
enum hb_failure {
    HB_FAILED_PEAK = 1 << 0,
    HB_FAILED_LEAKS = 1 << 1,
    HB_FAILED_ALLOCATIONS = 1 << 2,
    HB_FAILED_BAD_LIMIT = 1 << 3, /* a limit string could not be parsed */
    HB_FAILED_CRASH = 1 << 4,     /* killed by a signal */
    HB_FAILED_TIMEOUT = 1 << 5,   /* ran past its time limit */
    HB_FAILED_EXIT = 1 << 6,      /* the code under test called exit() */
};

typedef struct hb_result {
    const char *test;
    unsigned failures; /* hb_failure bits */
    unsigned reports;  /* CUnit failures the harness added for them */
    bool measured;     /* false: the test had no measured scope, or died */
    hb_usage usage;
} hb_result;

/* Records `test`'s outcome: the failure bits, how many CUnit failures the
 * harness reported for them, and the figures (NULL if nothing was measured). */
void hb_results_record(const char *test, unsigned failures, unsigned reports,
                       const hb_usage *usage);

/* The last result recorded for `test`, or NULL if it has none. */
const hb_result *hb_results_find(const char *test);

/* "peak", "leaks", "allocations", "limit", "crash", "timeout", "exit"
 * joined by commas, for results files; "" for 0. */
const char *hb_failure_names(unsigned failures, char text[80]);

#endif
