#include "hb_results.h"

#include <string.h>

enum { MAX_RESULTS = 1024 };
static hb_result results[MAX_RESULTS];
static size_t result_count;

const hb_result *hb_results_find(const char *test) {
    for (size_t i = 0; i < result_count; i++)
        if (strcmp(results[i].test, test) == 0)
            return &results[i];
    return NULL;
}

void hb_results_record(const char *test, unsigned failures, hb_usage usage) {
    hb_result *slot = (hb_result *)hb_results_find(test);
    if (slot == NULL && result_count < MAX_RESULTS)
        slot = &results[result_count++];
    if (slot != NULL)
        *slot = (hb_result){.test = test, .failures = failures, .usage = usage};
}
