/* hb_results: what each test measured and why it failed, kept for the
 * results files (hb_export.h).  Fixed storage: recording must not allocate. */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H

#include "hb_failure.h"
#include "hb_limits.h"
#include "hb_scope.h"

typedef struct hb_result {
    const char *test;
    unsigned failures; /* hb_failure bits */
    unsigned reports;  /* CUnit failures the harness added for them */
    bool measured;     /* false: the test had no measured scope, or died */
    hb_usage usage;
    hb_parsed_limits limits; /* of a memory test; none otherwise */
} hb_result;

/* Records a test's outcome, replacing any earlier one for the same test. */
void hb_results_record(const hb_result *result);

/* The last result recorded for `test`, or NULL if it has none. */
const hb_result *hb_results_find(const char *test);

#endif
