/* Time limits: each test's from the reference solution's time, the
 * default without one, HEAPBOOK_TIMEOUT over both, and what a test that
 * runs past its limit is told (runner.h: Time limits).  The limits chosen
 * and the messages, never how long anything took. */
#define HB_SUITE_NAME "time limits"
#include "measure.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
static bool load(const char *timeout, const char *path, char *said, size_t size) {
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *capture = tmpfile();
    CU_ASSERT_FATAL(saved >= 0 && capture != NULL);
    dup2(fileno(capture), STDERR_FILENO);
    hb_time_limits_configure(timeout, path);
    bool loaded = hb_time_limits_load();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(capture);
    size_t length = said ? fread(said, 1, size - 1, capture) : 0;
    if (said)
        said[length] = '\0';
    fclose(capture);
    return loaded;
}

/* The same with a file of `text` (NULL: none). */
static bool configure_saying(const char *timeout, const char *text, char *said, size_t size) {
    char path[64] = "";
    if (text != NULL)
        solution_times(path, text);
    bool loaded = load(timeout, text ? path : NULL, said, size);
    if (text != NULL)
        unlink(path);
    return loaded;
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

#define TIMES_FORMS                                                                                \
    "name a regular file of \"test<TAB>microseconds\" lines (and lines of '#' comments), as "      \
    "--record-times writes it, or leave it empty for the default limits (docs/harness.md, "        \
    "Environment variables); no test ran\n"

/* Says whether HEAPBOOK_TIMEOUT=`timeout` is refused, with its message. */
static void assert_timeout_refused(const char *timeout) {
    char said[512], expected[512];
    CU_ASSERT_FALSE(configure_saying(timeout, NULL, said, sizeof said));
    restore();
    snprintf(expected, sizeof expected,
             "heapbook: HEAPBOOK_TIMEOUT=\"%s\" is not a number of seconds: write a whole number "
             "of seconds from 1 to 4294967 (HEAPBOOK_TIMEOUT=60), or unset it for each test's own "
             "limit (docs/harness.md, Environment variables); no test ran\n",
             timeout);
    CU_ASSERT_STRING_EQUAL(said, expected);
}

/* A bad value or file stops the run before any test (main() exits 2),
 * saying the variable, the text and what it accepts. */
HB_TEST(test_bad_timeouts_are_errors) {
    static const char *const bad[] = {
        "ten", "0", "-5", "5s", " 5", "5 ", "+5", "4294968", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_timeout_refused(bad[i]);
    CU_ASSERT_TRUE(configure_saying("4294967", NULL, NULL, 0));
    restore();
    /* Cut to fit its buffer it would read as 50: too long is bad. */
    char said[512];
    CU_ASSERT_FALSE(load("0000000000000000000000000000000000000050x", NULL, said, sizeof said));
    restore();
}

/* Says whether a times file of `text` is refused for line `line`. */
static void assert_times_refused(const char *text, unsigned line) {
    char said[1024], expected[64];
    CU_ASSERT_FALSE(configure_saying(NULL, text, said, sizeof said));
    hb_time_limit quick = limit_of("test_quick");
    restore();
    CU_ASSERT_EQUAL(quick.basis, HB_TIME_DEFAULT);
    snprintf(expected, sizeof expected, "\" line %u is not a test's time: ", line);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, expected));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, TIMES_FORMS));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "heapbook: HEAPBOOK_SOLUTION_TIMES=\""));
}

HB_TEST(test_bad_times_files_are_errors) {
    assert_times_refused("test_quick 400\n", 1);
    assert_times_refused("test_quick\t400\ntest_broken\t\n", 2);
    assert_times_refused("# fine\ntest_quick\t-400\n", 2);
    assert_times_refused("test_quick\t400\t7\n", 1);
    assert_times_refused("test_quick\t 400\n", 1);
    assert_times_refused("\t400\n", 1);
    assert_times_refused("test_quick\t99999999999999999999\n", 1);
    char long_line[512];
    memset(long_line, 'x', sizeof long_line - 6);
    memcpy(long_line + sizeof long_line - 6, "\t400\n", 6);
    assert_times_refused(long_line, 1);
    /* Its last line without a newline is still a line. */
    CU_ASSERT_TRUE(configure_saying(NULL, "test_quick\t400", NULL, 0));
    hb_time_limit quick = limit_of("test_quick");
    restore();
    CU_ASSERT_EQUAL(quick.basis, HB_TIME_SOLUTION);
    char said[1024];
    CU_ASSERT_FALSE(load(NULL, "/nonexistent/heapbook-times.tsv", said, sizeof said));
    restore();
    CU_ASSERT_STRING_EQUAL(said,
                           "heapbook: HEAPBOOK_SOLUTION_TIMES=\"/nonexistent/heapbook-times.tsv\" "
                           "cannot be opened (No such file or directory): " TIMES_FORMS);
}

/* A FIFO would block the open until something writes to it: refused at
 * once, as a directory and a device are. */
HB_TEST(test_times_file_must_be_a_regular_file) {
    char directory[] = "/tmp/heapbook-fifo-XXXXXX", fifo[64], said[1024];
    CU_ASSERT_FATAL(mkdtemp(directory) != NULL);
    snprintf(fifo, sizeof fifo, "%s/times", directory);
    CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
    CU_ASSERT_FALSE(load(NULL, fifo, said, sizeof said));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "\" is a FIFO, not a regular file: " TIMES_FORMS));
    CU_ASSERT_FALSE(load(NULL, directory, said, sizeof said));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "\" is a directory, not a regular file: "));
    CU_ASSERT_FALSE(load(NULL, "/dev/null", said, sizeof said));
    CU_ASSERT_STRING_EQUAL(said, "heapbook: HEAPBOOK_SOLUTION_TIMES=\"/dev/null\" is a device, not "
                                 "a regular file: " TIMES_FORMS);
    restore();
    unlink(fifo);
    rmdir(directory);
}

/* HEAPBOOK_SEED and HEAPBOOK_FORK's numbers: decimal digits, nothing else. */
HB_TEST(test_whole_numbers_are_digits_only) {
    unsigned long long number = 7;
    CU_ASSERT_TRUE(hb_environment_whole_number("18446744073709551615", ULLONG_MAX, &number));
    CU_ASSERT_EQUAL(number, ULLONG_MAX);
    CU_ASSERT_TRUE(hb_environment_whole_number("0", 0, &number));
    CU_ASSERT_EQUAL(number, 0);
    static const char *const bad[] = {
        "", "18446744073709551616", "-1", "+1", " 1", "1 ", "0x10", "1e3", "12a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        number = 7;
        CU_ASSERT_FALSE(hb_environment_whole_number(bad[i], ULLONG_MAX, &number));
        CU_ASSERT_EQUAL(number, 7);
    }
    CU_ASSERT_FALSE(hb_environment_whole_number("11", 10, &number));
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
