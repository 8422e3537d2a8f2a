/* The failure report: the limit, the figure, the sites with their stacks. */
#define HB_SUITE_NAME "reports"
#include "measure.h"

#include <stdlib.h>
#include <string.h>

static void *leaked;
static int allocation_line;

static void allocate_two_kib(void) {
    allocation_line = __LINE__ + 1;
    leaked = malloc(2048);
}

static void caller_of_allocate(void) { allocate_two_kib(); }

static unsigned check(const hb_limits *limits, hb_text *report) {
    hb_parsed_limits parsed;
    unsigned failures = hb_limits_parse("test_x", limits, &parsed, report);
    CU_ASSERT_EQUAL_FATAL(failures, 0);
    hb_scope *scope = measure_with_stacks(caller_of_allocate);
    failures = hb_limits_check("test_x", &parsed, scope, 0, report);
    hb_scope_release(scope);
    free(leaked);
    return failures;
}

static bool contains(const hb_text *text, const char *part) {
    return strstr(hb_text_get(text), part) != NULL;
}

HB_TEST(test_peak_report_names_the_site_and_its_callers) {
    hb_text report = {0};
    unsigned failures = check(&(hb_limits){.peak = "1 KiB"}, &report);
    CU_ASSERT_EQUAL(failures, HB_FAILED_PEAK);
    CU_ASSERT_TRUE(contains(&report, "test_x: limited to 1.0 KiB but peak heap was 2.0 KiB\n"));
    char site[256];
    snprintf(site, sizeof site,
             "        2.0 KiB in 1 block: allocate_two_kib (tests/harness/test_reports.c:%d) <- "
             "caller_of_allocate (tests/harness/test_reports.c:%d) <- ",
             allocation_line, allocation_line + 3);
    CU_ASSERT_TRUE(contains(&report, site));
    /* The stack stops where CUnit begins: at this test. */
    CU_ASSERT_TRUE(contains(&report, " <- test_peak_report_names_the_site_and_its_callers "
                                     "(tests/harness/test_reports.c:"));
    CU_ASSERT_FALSE(contains(&report, "CU_"));
    CU_ASSERT_FALSE(contains(&report, "??"));
    hb_text_free(&report);
}

HB_TEST(test_leak_report_counts_blocks_never_freed) {
    hb_text report = {0};
    unsigned failures = check(&(hb_limits){.leaks = "0 B", .peak = "1 MiB"}, &report);
    CU_ASSERT_EQUAL(failures, HB_FAILED_LEAKS);
    CU_ASSERT_TRUE(contains(&report, "test_x: limited to 0 B of leaks but 2.0 KiB in 1 block was "
                                     "never freed\n      where the leaked blocks were allocated:\n"
                                     "        2.0 KiB in 1 block: allocate_two_kib ("));
    hb_text_free(&report);
}

HB_TEST(test_allocation_count_report) {
    hb_text report = {0};
    unsigned failures = check(&(hb_limits){.allocations = "0"}, &report);
    CU_ASSERT_EQUAL(failures, HB_FAILED_ALLOCATIONS);
    CU_ASSERT_TRUE(contains(&report, "test_x: limited to 0 allocations but made 1\n"
                                     "      sites that allocated most often:\n"
                                     "        1 allocation (2.0 KiB): allocate_two_kib ("));
    hb_text_free(&report);
}

HB_TEST(test_excess_hidden_by_rounding_is_shown_in_bytes) {
    hb_text report = {0};
    unsigned failures = check(&(hb_limits){.peak = "2047 B", .leaks = "2047"}, &report);
    CU_ASSERT_EQUAL(failures, HB_FAILED_PEAK | HB_FAILED_LEAKS);
    CU_ASSERT_TRUE(contains(&report, "test_x: limited to 2047 B but peak heap was 2048 B\n"));
    /* A second limit's report is indented under the first. */
    CU_ASSERT_TRUE(contains(&report, "\n      test_x: limited to 2047 B of leaks but 2048 B in 1"));
    hb_text_free(&report);
}

HB_TEST(test_within_limits_reports_nothing) {
    hb_text report = {0};
    unsigned failures =
        check(&(hb_limits){.peak = "2 KiB", .leaks = "2048", .allocations = "1"}, &report);
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_STRING_EQUAL(hb_text_get(&report), "");
    hb_text_free(&report);
}

HB_TEST(test_bad_limits_are_reported_before_anything_runs) {
    hb_text report = {0};
    hb_parsed_limits parsed;
    unsigned failures = hb_limits_parse(
        "test_x", &(hb_limits){.peak = "100 KX", .allocations = "many"}, &parsed, &report);
    CU_ASSERT_EQUAL(failures, HB_FAILED_BAD_LIMIT);
    CU_ASSERT_STRING_EQUAL(
        hb_text_get(&report),
        "test_x: bad memory limit .peak: size \"100 KX\" has an unknown unit (use B, KB, MB, GB, "
        "KiB, MiB or GiB)\n"
        "test_x: bad memory limit .allocations: count \"many\" is not a whole number\n");
    hb_text_free(&report);
}
