/* fault_each.c: every allocation of a piece of code made to fail in turn
 * (heapbook.h: hb_fail_each_allocation; fault injection: counting.h).
 *
 * The code runs once.  At each of its allocations a child process is
 * forked in which that allocation fails: the child runs the code on from
 * there to its end and reports what went wrong (a leak, a crash, a failed
 * assertion, an endless loop); the parent waits for it, then lets the
 * allocation succeed and goes on to the next one.  So each failure point
 * costs the rest of the code's run after it (short: the error path), not
 * a whole run, and an allocation made only once (a cache filled on first
 * use) is failed too.  Code that starts threads does not suit it: a child
 * keeps only the thread that forked. */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* After this many failure points the rest would only repeat them. */
enum { MAX_REPORTED = 3 };

typedef struct failure_point {
    unsigned long n;   /* the allocation made to fail */
    unsigned failures; /* hb_failure bits */
    hb_text report;
} failure_point;

/* The module's state. */
typedef struct fault_each_state {
    const char *name;
    hb_scope *scope;
    bool in_child;         /* this process is a child where allocation `failing` failed */
    unsigned long failing; /* in the child */
    failure_point found[MAX_REPORTED];
    size_t found_count;
} fault_each_state;
static fault_each_state each;

bool hb_fault_fail_in(const char *function) {
    enum { MAX_FUNCTIONS = 16 }; /* of one name: a static one per file */
    hb_code_range ranges[MAX_FUNCTIONS];
    size_t found = hb_symbols_ranges(function, ranges, MAX_FUNCTIONS);
    hb_fault_fail_in_ranges(ranges, found);
    return found > 0;
}

/* The core asks at each allocation (hb_fault_fail_each). */
static bool fail_in_a_child(unsigned long n) {
    if (each.in_child || each.found_count == MAX_REPORTED)
        return false;
    int from_child;
    pid_t child = hb_isolate_fork_part(&from_child);
    if (child == 0) {
        each.in_child = true;
        each.failing = n;
        /* The quarantine stays on: a block freed too early on the error
         * path (released before the copy that failed) reads as poison, and
         * the code's own assertions see it. */
        char note[200];
        snprintf(note, sizeof note, "while allocation %lu in %s was made to fail", n, each.name);
        hb_context_set_fault(note);
        return true;
    }
    if (child < 0)
        return false;
    hb_guard_enter(); /* the report's text is the harness's */
    hb_text report = {0};
    unsigned failures = hb_isolate_wait_part(child, from_child, &report);
    /* An assertion the child failed sets no bit of its own: its report
     * says it. */
    if (failures != 0 || report.length > 0)
        each.found[each.found_count++] = (failure_point){n, failures, report};
    else
        hb_text_free(&report);
    hb_guard_leave();
    return false;
}

/* In the child, the code run to its end: what it leaked, and the
 * assertions it failed itself. */
_Noreturn static void finish_in_child(CU_pFailureRecord before) {
    hb_fault_off();
    hb_scope_end(each.scope);
    hb_usage usage = hb_scope_usage(each.scope);
    unsigned failures = 0;
    hb_text report = {0};
    if (usage.live_bytes > 0) {
        char size[HB_SIZE_TEXT];
        failures |= HB_FAILED_LEAKS;
        hb_text_printf(&report, "%s in %llu %s leaked\n", hb_size_format(usage.live_bytes, size),
                       (unsigned long long)usage.live_blocks,
                       usage.live_blocks == 1 ? "block was" : "blocks were");
        hb_text_printf(&report, "      the allocation made to fail:");
        hb_report_stack(&report, hb_fault_last_failed_stack(), HB_REPORT_INDENT);
        hb_text_printf(&report, "\n      where the leaked blocks were allocated:\n");
        hb_report_sites(&report, each.scope, HB_SITES_LIVE);
    }
    for (CU_pFailureRecord f = before ? before->pNext : CU_get_failure_list(); f != NULL;
         f = f->pNext)
        hb_text_printf(&report, "%s%s (%s:%u)",
                       report.length ? "\n      " : "an assertion failed: ", f->strCondition,
                       f->strFileName, f->uiLineNumber);
    hb_isolate_part_done(failures, hb_text_get(&report));
}

static CU_pFailureRecord last_failure(void) {
    CU_pFailureRecord f = CU_get_failure_list();
    while (f != NULL && f->pNext != NULL)
        f = f->pNext;
    return f;
}

/* Each failure point found, as one failure of the test. */
static void report_found(const char *file, unsigned line, unsigned long total) {
    unsigned failures = 0, reports = 0;
    for (size_t i = 0; i < each.found_count; i++) {
        failure_point *point = &each.found[i];
        hb_text report = {0};
        hb_text_printf(&report, "%s: when allocation %lu of %lu failed, %s", each.name, point->n,
                       total, hb_text_get(&point->report));
        CU_assertImplementation(CU_FALSE, line, hb_text_get(&report), file, "", CU_FALSE);
        hb_text_free(&report);
        hb_text_free(&point->report);
        failures |= point->failures;
        /* One that only failed an assertion reads as one (results.c). */
        reports += point->failures != 0;
    }
    if (each.found_count == 0) {
        CU_assertImplementation(CU_TRUE, line, "every allocation failed once", file, "", CU_FALSE);
        return;
    }
    const char *test = CU_get_current_test()->pName;
    const hb_result *before = hb_results_find(test);
    hb_result result = before ? *before : (hb_result){.test = test};
    result.failures |= failures;
    result.reports += reports;
    hb_results_record(&result);
}

void hb_fail_each_allocation_at(const char *name, void (*code)(void), const char *file,
                                unsigned line) {
    const char *not_counting = hb_memcheck_not_counting();
    if (not_counting != NULL) { /* make memcheck, make valgrind: nothing can be made to fail */
        hb_memcheck_skipped("fault injection", not_counting);
        code();
        return;
    }
    each = (fault_each_state){.name = name};
    CU_pFailureRecord before = last_failure();
    each.scope = hb_scope_begin(HB_SCOPE_STACKS);
    hb_fault_fail_each(fail_in_a_child);
    code();
    if (each.in_child)
        finish_in_child(before);
    unsigned long total = hb_fault_allocations();
    hb_fault_off();
    hb_scope_finish(each.scope);
    report_found(file, line, total);
}
