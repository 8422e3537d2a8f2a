#include "heapbook.h"

#include "hb_results.h"
#include "hb_text.h"

/* The scope of the memory test running now.  A fatal CUnit assertion jumps
 * out of the test body past hb_scope_end(); the suite's tear-down then
 * closes the scope (hb_test_tear_down). */
static hb_scope *running_scope;
static const char *running_file;
static unsigned running_line;

void hb_run_measured(const char *test, const hb_limits *limits, void (*body)(void),
                     const char *file, unsigned line) {
    hb_text report = {0};
    hb_parsed_limits parsed = {0};
    hb_usage usage = {0};
    bool measured = false;
    unsigned failures = hb_limits_parse(test, limits, &parsed, &report);
    const char *not_counting = failures == 0 ? hb_memcheck_not_counting() : NULL;
    if (not_counting != NULL) {
        /* make memcheck or valgrind: nothing is counted, so no figure would
         * mean anything; the body's assertions still do. */
        hb_memcheck_skipped("memory limits", not_counting);
        failures = hb_memcheck_run(body, test, file, line);
    } else if (failures == 0) {
        running_scope = hb_scope_begin(HB_SCOPE_STACKS);
        running_file = file;
        running_line = line;
        body();
        hb_scope_end(running_scope);
        usage = hb_scope_usage(running_scope);
        measured = true;
        failures = hb_limits_check(test, &parsed, running_scope, &report);
        hb_scope_release(running_scope);
        running_scope = NULL;
    }
    hb_results_record(&(hb_result){.test = test,
                                   .failures = failures,
                                   .reports = failures ? 1 : 0,
                                   .measured = measured,
                                   .usage = usage,
                                   .limits = parsed});
    if (failures != 0 && not_counting == NULL) /* a leak check reports its own */
        CU_assertImplementation(CU_FALSE, line, hb_text_get(&report), file, "", CU_FALSE);
    hb_text_free(&report);
}

#if HB_SANITIZED
void hb_run_checked(const char *test, void (*body)(void), const char *file, unsigned line) {
    unsigned failures = hb_memcheck_run(body, test, file, line);
    /* Recorded, so the figures of a scope that saw nothing are not. */
    hb_results_record(
        &(hb_result){.test = test, .failures = failures, .reports = failures ? 1 : 0});
}
#endif

void hb_test_tear_down(void) {
    if (running_scope == NULL)
        return;
    hb_scope_end(running_scope);
    hb_scope_release(running_scope);
    running_scope = NULL;
    CU_assertImplementation(CU_FALSE, running_line,
                            "memory limits not checked: the test stopped at a fatal assertion",
                            running_file, "", CU_FALSE);
}
