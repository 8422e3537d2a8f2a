#include "heapbook.h"

#include "hb_fault.h"
#include "hb_isolate.h"
#include "hb_memcheck.h"
#include "hb_report.h"
#include "hb_results.h"
#include "hb_size.h"

#include <stdio.h>

/* After this many leaking failure points the rest would only repeat them. */
enum { MAX_REPORTED = 3 };

static hb_usage run_counted(void (*code)(void), unsigned options, hb_scope **kept) {
    hb_scope *scope = hb_scope_begin(options);
    code();
    hb_scope_end(scope);
    hb_usage usage = hb_scope_usage(scope);
    if (kept != NULL)
        *kept = scope;
    else
        hb_scope_release(scope);
    return usage;
}

static void report_leak(const char *name, unsigned long n, unsigned long total,
                        const hb_scope *scope, const char *file, unsigned line) {
    hb_usage usage = hb_scope_usage(scope);
    char size[HB_SIZE_TEXT];
    hb_text report = {0};
    hb_text_printf(&report, "%s: when allocation %lu of %lu failed, %s in %llu %s leaked\n", name,
                   n, total, hb_size_format(usage.live_bytes, size),
                   (unsigned long long)usage.live_blocks,
                   usage.live_blocks == 1 ? "block was" : "blocks were");
    hb_text_printf(&report, "      the allocation made to fail: ");
    hb_report_stack(&report, hb_fault_last_failed_stack());
    hb_text_printf(&report, "\n      where the leaked blocks were allocated:\n");
    hb_report_sites(&report, scope, HB_SITES_LIVE);
    CU_assertImplementation(CU_FALSE, line, hb_text_get(&report), file, "", CU_FALSE);
    hb_text_free(&report);
}

void hb_fail_each_allocation_at(const char *name, void (*code)(void), const char *file,
                                unsigned line) {
    const char *not_counting = hb_memcheck_not_counting();
    if (not_counting != NULL) { /* make memcheck, make valgrind: nothing can be made to fail */
        hb_memcheck_skipped("fault injection", not_counting);
        code();
        return;
    }
    unsigned long total = run_counted(code, HB_SCOPE_COUNTS_ONLY, NULL).allocations;
    unsigned reported = 0;
    for (unsigned long n = 1; n <= total && reported < MAX_REPORTED; n++) {
        char note[160];
        snprintf(note, sizeof note, "while allocation %lu of %lu in %s was made to fail", n, total,
                 name);
        hb_isolate_note(note);
        hb_scope *scope;
        hb_fault_fail_nth(n);
        hb_usage usage = run_counted(code, HB_SCOPE_STACKS, &scope);
        hb_fault_off();
        if (usage.live_bytes > 0) {
            report_leak(name, n, total, scope, file, line);
            reported++;
        }
        hb_scope_release(scope);
    }
    hb_isolate_note(NULL);
    if (reported > 0)
        hb_results_record(&(hb_result){.test = CU_get_current_test()->pName,
                                       .failures = HB_FAILED_LEAKS,
                                       .reports = reported});
    CU_assertImplementation(CU_TRUE, line, "every allocation failed once", file, "", CU_FALSE);
}
