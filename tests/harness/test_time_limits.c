/* Time limits: each test's from the reference solution's time, the
 * default without one, HEAPBOOK_TIMEOUT over both, and what a test that
 * runs past its limit is told (runner.h: Time limits).  The limits chosen
 * and the messages, never how long anything took. */
#define HB_SUITE_NAME "time limits"
#include "measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A solution-times file holding `text`; its path in `path`. */
static void solution_times(char path[64], const char *text) {
    snprintf(path, 64, "%s/heapbook-times-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Loads HEAPBOOK_TIMEOUT=`timeout` and HEAPBOOK_SOLUTION_TIMES=`path` (NULL:
 * not set) as main() does; what that says on stderr goes to `said`, if not
 * NULL.  restore() brings the run's own settings back. */
static void load(const char *timeout, const char *path, char *said, size_t size) {
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *capture = tmpfile();
    CU_ASSERT_FATAL(saved >= 0 && capture != NULL);
    dup2(fileno(capture), STDERR_FILENO);
    hb_time_limits_configure(timeout, path);
    hb_time_limits_load();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(capture);
    size_t length = said ? fread(said, 1, size - 1, capture) : 0;
    if (said)
        said[length] = '\0';
    fclose(capture);
}

/* The same with a file of `text` (NULL: none). */
static void configure_saying(const char *timeout, const char *text, char *said, size_t size) {
    char path[64] = "";
    if (text != NULL)
        solution_times(path, text);
    load(timeout, text ? path : NULL, said, size);
    if (text != NULL)
        unlink(path);
}

static void configure(const char *timeout, const char *text) {
    configure_saying(timeout, text, NULL, 0);
}

static void restore(void) {
    hb_time_limits_configure(getenv("HEAPBOOK_TIMEOUT"), getenv("HEAPBOOK_SOLUTION_TIMES"));
    hb_time_limits_load();
}

static hb_time_limit limit_of(const char *test) {
    hb_time_limit limit;
    hb_time_limit_of(test, &limit);
    return limit;
}

static const char *const times_file = "# the solution's, in microseconds\n"
                                      "test_quick\t400\n"        /* 8 ms: the floor, 1 s */
                                      "test_slower\t60000\n"     /* 1.2 s */
                                      "test_slowest\t1000000\n"; /* 20 s */

HB_TEST(test_limits_from_the_solutions_times) {
    configure(NULL, times_file);
    hb_time_limit quick = limit_of("test_quick"), slower = limit_of("test_slower"),
                  slowest = limit_of("test_slowest"), unknown = limit_of("test_not_in_the_file");
    restore();
    CU_ASSERT_EQUAL(quick.basis, HB_TIME_SOLUTION);
    CU_ASSERT_EQUAL(quick.processor_ms, 1000);
    CU_ASSERT_EQUAL(quick.wall_seconds, HB_DEFAULT_TIMEOUT_SECONDS);
    CU_ASSERT_EQUAL(quick.solution_us, 400);
    CU_ASSERT_EQUAL(slower.processor_ms, 1200);
    CU_ASSERT_EQUAL(slower.wall_seconds, HB_DEFAULT_TIMEOUT_SECONDS);
    CU_ASSERT_EQUAL(slowest.processor_ms, 20000);
    CU_ASSERT_EQUAL(slowest.wall_seconds, 60); /* three times its processor time */
    CU_ASSERT_EQUAL(unknown.basis, HB_TIME_DEFAULT);
    CU_ASSERT_EQUAL(unknown.processor_ms, 0);
    CU_ASSERT_EQUAL(unknown.wall_seconds, HB_DEFAULT_TIMEOUT_SECONDS);
}

HB_TEST(test_heapbook_timeout_overrides_every_limit) {
    configure("3", times_file);
    hb_time_limit quick = limit_of("test_quick"), unknown = limit_of("test_not_in_the_file");
    restore();
    CU_ASSERT_EQUAL(quick.basis, HB_TIME_OVERRIDE);
    CU_ASSERT_EQUAL(quick.wall_seconds, 3);
    CU_ASSERT_EQUAL(quick.processor_ms, 0);
    CU_ASSERT_EQUAL(unknown.basis, HB_TIME_OVERRIDE);
    CU_ASSERT_EQUAL(unknown.wall_seconds, 3);
}

/* A bad value or file is said, and ignored: the default limits, which are
 * never tighter than the solution's. */
HB_TEST(test_bad_settings_fall_back_to_the_default) {
    char said[512];
    configure_saying("ten", "test_quick 400\n", said, sizeof said);
    hb_time_limit quick = limit_of("test_quick");
    restore();
    CU_ASSERT_EQUAL(quick.basis, HB_TIME_DEFAULT);
    CU_ASSERT_EQUAL(quick.wall_seconds, HB_DEFAULT_TIMEOUT_SECONDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "heapbook: HEAPBOOK_TIMEOUT=ten is not a number of "
                                        "seconds (1 or more); it is ignored\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, ":1: not \"test<TAB>microseconds\"; every test gets the "
                                        "default time limit, 10 s\n"));
    configure_saying(NULL, "test_quick\t400\ntest_broken\t\n", said, sizeof said);
    quick = limit_of("test_quick");
    restore();
    CU_ASSERT_EQUAL(quick.basis, HB_TIME_DEFAULT);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, ":2: not \"test<TAB>microseconds\""));
    load(NULL, "/nonexistent/heapbook-times.tsv", said, sizeof said);
    quick = limit_of("test_quick");
    restore();
    CU_ASSERT_EQUAL(quick.basis, HB_TIME_DEFAULT);
    CU_ASSERT_STRING_EQUAL(said,
                           "heapbook: HEAPBOOK_SOLUTION_TIMES=/nonexistent/heapbook-times.tsv: "
                           "No such file or directory; every test gets the default time "
                           "limit, 10 s\n");
}

static void assert_report(const hb_time_limit *limit, bool processor, const char *expected) {
    hb_text report = {0};
    hb_time_limit_report(limit, processor, "\n          spin (spin.c:3)", &report);
    CU_ASSERT_STRING_EQUAL(hb_text_get(&report), expected);
    if (strcmp(hb_text_get(&report), expected) != 0)
        fprintf(stderr, "\nexpected: %s\nreported: %s\n", expected, hb_text_get(&report));
    hb_text_free(&report);
}

HB_TEST(test_each_timeout_says_its_limit_and_how_to_change_it) {
    configure(NULL, times_file);
    hb_time_limit slower = limit_of("test_slower"), unknown = limit_of("test_not_in_the_file");
    configure("2", NULL);
    hb_time_limit forced = limit_of("test_slower");
    restore();
    assert_report(
        &slower, true,
        "timed out after 1.2 s of processor time (an endless loop?), while in:\n          "
        "spin (spin.c:3)\n      its limit is 20 times the 60.0 ms of processor time the "
        "reference solution takes for this test, and at least 1 s; HEAPBOOK_TIMEOUT=N "
        "gives every test N seconds instead");
    assert_report(
        &slower, false,
        "timed out after 10 s, having used less than its 1.2 s of processor time "
        "(stuck waiting?), while in:\n          spin (spin.c:3)\n      its limit in real time is 3 "
        "times its limit in processor time (20 times the 60.0 ms of processor time the "
        "reference solution takes for this test, and at least 1 s), and at least 10 s; "
        "HEAPBOOK_TIMEOUT=N gives every test N seconds instead");
    assert_report(
        &unknown, false,
        "timed out after 10 s (an endless loop?), while in:\n          spin (spin.c:3)\n      its "
        "limit is the default, 10 s: no time of the reference solution's was given for "
        "this test (make test gives them, in HEAPBOOK_SOLUTION_TIMES); "
        "HEAPBOOK_TIMEOUT=N gives every test N seconds");
    assert_report(
        &forced, false,
        "timed out after 2 s (an endless loop?), while in:\n          spin (spin.c:3)\n      its "
        "limit is HEAPBOOK_TIMEOUT=2, in seconds per test; without it, make test sets "
        "each test's from the reference solution's time");
}

/* --record-times writes what the runner measured, one line per test, in
 * the form the limits are read from. */
HB_TEST(test_recorded_times_read_back_as_limits) {
    char path[64];
    solution_times(path, "");
    hb_time_record("test_recorded", 75000);
    hb_time_record("test_recorded", 80000); /* a test run again: its last time */
    CU_ASSERT_TRUE_FATAL(hb_times_save(path));
    hb_time_limits_configure(NULL, path);
    hb_time_limits_load();
    hb_time_limit recorded = limit_of("test_recorded");
    restore();
    unlink(path);
    CU_ASSERT_EQUAL(recorded.basis, HB_TIME_SOLUTION);
    CU_ASSERT_EQUAL(recorded.solution_us, 80000);
    CU_ASSERT_EQUAL(recorded.processor_ms, 1600);
}
