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

void hb_results_record(const hb_result *result) {
    hb_result *slot = (hb_result *)hb_results_find(result->test);
    if (slot == NULL && result_count < MAX_RESULTS)
        slot = &results[result_count++];
    if (slot != NULL)
        *slot = *result;
}

const char *hb_failure_names(unsigned failures, char text[HB_FAILURE_NAMES]) {
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {HB_FAILED_PEAK, "peak"},
        {HB_FAILED_LEAKS, "leaks"},
        {HB_FAILED_ALLOCATIONS, "allocations"},
        {HB_FAILED_BAD_LIMIT, "limit"},
        {HB_FAILED_CRASH, "crash"},
        {HB_FAILED_TIMEOUT, "timeout"},
        {HB_FAILED_EXIT, "exit"},
        {HB_FAILED_INCREASE, "increase"},
    };
    text[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (failures & names[i].bit) {
            if (text[0] != '\0')
                strcat(text, ",");
            strcat(text, names[i].name);
        }
    return text;
}
