/* The failure report: the limit as written, the figure, the sites with
 * their stacks one frame a line, the harness's and CUnit's frames folded,
 * sites that read the same merged; the figures of a test that passed. */
#define HB_SUITE_NAME "reports"
#include "measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *leaked[2];
static int allocation_line;

static void allocate_two_kib(int i) {
    allocation_line = __LINE__ + 1;
    leaked[i] = malloc(2048);
}

static void caller_of_allocate(void) { allocate_two_kib(0); }

/* Two calls on one line: two stacks (two return addresses) that read the
 * same, line for line. */
static void twice_on_one_line(void) { allocate_two_kib(0), allocate_two_kib(1); }

/* Reports as to a pipe: the runner colours them at a terminal. */
static bool colour;

static unsigned check_code(void (*code)(void), const hb_limits *limits, hb_text *report) {
    hb_report_use_colour(colour);
    hb_parsed_limits parsed;
    unsigned failures = hb_limits_parse("test_x", limits, &parsed, report);
    CU_ASSERT_EQUAL_FATAL(failures, 0);
    leaked[0] = leaked[1] = NULL;
    hb_scope *scope = measure_with_stacks(code);
    failures = hb_limits_check("test_x", &parsed, scope, 0, report);
    hb_scope_release(scope);
    free(leaked[0]);
    free(leaked[1]);
    return failures;
}

static unsigned check(const hb_limits *limits, hb_text *report) {
    return check_code(caller_of_allocate, limits, report);
}

static bool contains(const hb_text *text, const char *part) {
    return strstr(hb_text_get(text), part) != NULL;
}

HB_TEST(test_peak_report_names_the_site_and_its_callers) {
    hb_text report = {0};
    unsigned failures = check(&(hb_limits){.peak = "1 KiB"}, &report);
    CU_ASSERT_EQUAL(failures, HB_FAILED_PEAK);
    CU_ASSERT_TRUE(contains(&report, "test_x: limited to 1 KiB but peak heap was 2.0 KiB\n"));
    /* One frame a line, innermost first; the test's code is not marked as
     * the student's (">"). */
    char site[512];
    snprintf(site, sizeof site,
             "        2.0 KiB in 1 block, allocated at\n"
             "            allocate_two_kib (tests/harness/test_reports.c:%d)\n"
             "            caller_of_allocate (tests/harness/test_reports.c:%d)\n",
             allocation_line, allocation_line + 3);
    CU_ASSERT_TRUE(contains(&report, site));
    CU_ASSERT_TRUE(contains(&report,
                            "\n            test_peak_report_names_the_site_and_its_callers "
                            "(tests/harness/test_reports.c:"));
    /* The runner's and CUnit's frames: one folded line. */
    CU_ASSERT_TRUE(contains(&report, "\n            ... "));
    CU_ASSERT_TRUE(contains(&report, " frames in the harness and CUnit\n"));
    CU_ASSERT_FALSE(contains(&report, "CU_"));
    CU_ASSERT_FALSE(contains(&report, "??"));
    CU_ASSERT_FALSE(contains(&report, "\033"));
    hb_text_free(&report);
}

HB_TEST(test_leak_report_counts_blocks_never_freed) {
    hb_text report = {0};
    unsigned failures = check(&(hb_limits){.leaks = "0 B", .peak = "1 MiB"}, &report);
    CU_ASSERT_EQUAL(failures, HB_FAILED_LEAKS);
    CU_ASSERT_TRUE(contains(&report, "test_x: limited to 0 B of leaks but 2.0 KiB in 1 block was "
                                     "never freed\n      where the leaked blocks were allocated:\n"
                                     "        2.0 KiB in 1 block, allocated at\n"
                                     "            allocate_two_kib ("));
    hb_text_free(&report);
}

HB_TEST(test_allocation_count_report) {
    hb_text report = {0};
    unsigned failures = check(&(hb_limits){.allocations = "0"}, &report);
    CU_ASSERT_EQUAL(failures, HB_FAILED_ALLOCATIONS);
    CU_ASSERT_TRUE(contains(&report, "test_x: limited to 0 allocations but made 1\n"
                                     "      sites that allocated most often:\n"
                                     "        1 allocation (2.0 KiB), made at\n"
                                     "            allocate_two_kib ("));
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

/* A limit reads as the test wrote it, with the harness's own reading when
 * the two differ. */
HB_TEST(test_limits_are_shown_as_written) {
    hb_text report = {0};
    check(&(hb_limits){.peak = "1 kB", .leaks = "1 KB"}, &report);
    CU_ASSERT_TRUE(contains(&report, "limited to 1 kB (1000 B) but peak heap was 2.0 KiB\n"));
    CU_ASSERT_TRUE(contains(&report, "limited to 1 KB (1000 B) of leaks but 2.0 KiB"));
    hb_text_free(&report);
}

HB_TEST(test_sites_that_read_the_same_are_merged) {
    hb_text report = {0};
    check_code(twice_on_one_line, &(hb_limits){.peak = "1 KiB"}, &report);
    CU_ASSERT_TRUE(contains(&report, "        4.0 KiB in 2 blocks, allocated at\n"));
    CU_ASSERT_FALSE(contains(&report, "2.0 KiB in 1 block"));
    hb_text_free(&report);
}

HB_TEST(test_colour_only_when_asked_and_stripped_from_records) {
    hb_text report = {0};
    colour = true;
    check(&(hb_limits){.peak = "1 KiB"}, &report);
    colour = false;
    /* The folded line is dim; without its escapes it reads as before. */
    CU_ASSERT_TRUE(contains(&report, "\033[2m  ... "));
    char *plain = malloc(report.length + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    hb_report_strip_colour(hb_text_get(&report), plain);
    CU_ASSERT_PTR_NULL(strchr(plain, '\033'));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "\n            ... "));
    free(plain);
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
        "test_x: bad memory limit .allocations: count \"many\" is not a whole number: write "
        "digits only, nothing else: \"1000\"\n");
    hb_text_free(&report);
}

/* The figures a passing test shows: each "of" its limit as written, the
 * starter's from the exercise's .figures file where it differs, and only
 * those (all of them after a failure). */
HB_TEST(test_figures_of_a_test_name_limits_and_the_starter) {
    char directory[] = "/tmp/heapbook-figures-XXXXXX", suite[128], figures[128];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(directory));
    snprintf(suite, sizeof suite, "%s/test_x.c", directory);
    snprintf(figures, sizeof figures, "%s/test_x.figures", directory);
    FILE *file = fopen(figures, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    fputs("# variant test figure value\n"
          "starter test_x peak 524288\n"
          "starter test_x allocations 47\n"
          "solution test_x peak 0\n"
          "starter test_other leaks 5\n",
          file);
    fclose(file);
    hb_result result = {.test = "test_x", .memory_test = true, .measured = true, .stack_bytes = 96};
    result.usage.peak_bytes = 0;
    result.usage.allocations = 0;
    CU_ASSERT_EQUAL_FATAL(hb_limits_parse("test_x", &(hb_limits){.peak = "20 MB", .leaks = "0 B"},
                                          &result.limits, &(hb_text){0}),
                          0);
    hb_text passed = {0}, failed = {0};
    hb_limits_figures(&result, suite, false, &passed);
    hb_limits_figures(&result, suite, true, &failed);
    HB_ASSERT_STR_EQ(hb_text_get(&passed), "peak 0 B of 20 MB (19.1 MiB) (the starter: 512.0 KiB), "
                                           "leaks 0 B of 0 B, allocations 0 (the starter: 47)");
    HB_ASSERT_STR_EQ(hb_text_get(&failed), "peak 0 B of 20 MB (19.1 MiB) (the starter: 512.0 KiB), "
                                           "leaks 0 B of 0 B, allocations 0 (the starter: 47), "
                                           "stack 96 B");
    hb_text_free(&passed);
    hb_text_free(&failed);
    unlink(figures);
    rmdir(directory);
}
