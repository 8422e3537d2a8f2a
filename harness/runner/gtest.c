/* gtest.c: Google Test's command line and output, for editors (runner.h:
 * Google Test's flags; docs/editor.md).
 *
 * VS Code's C++ TestMate lists and runs the tests of any binary that
 * answers --help as a Google Test binary does, and reads its results from
 * Google Test's output lines.  So every test binary takes the subset of
 * Google Test's flags TestMate sends, and any of them switches the output
 * from CUnit's to Google Test's; without one, nothing here runs and the
 * output is CUnit's, as before.
 *
 *   --gtest_list_tests             "Suite." then "  test" lines
 *   --gtest_output=xml:FILE        with --gtest_list_tests: the list with
 *                                  each test's file and line, in Google
 *                                  Test's XML
 *   --gtest_filter=POS[-NEG]       patterns joined by ':', '*' and '?'
 *   --gtest_color=yes|no|auto      colour in the reports
 *   --gtest_also_run_disabled_tests, --gtest_break_on_failure
 *                                  taken, changing nothing: no test is
 *                                  disabled, and a debugger stops at a crash
 *                                  by itself (a limit is checked after the
 *                                  test's body has returned)
 *
 * A test is Suite.test, the suite named after the CUnit suite as Google
 * Test's names must be (an identifier: "01-fibonacci" is ex01_fibonacci).
 * Each failure is a line "FILE:LINE: Failure" and its message, ended by a
 * blank line: at the failure's own place (the assertion, or the test's
 * line for a limit or a crash), and again at the student's line its report
 * names, so that the editor marks that line too: the top of the student's
 * code (frames marked "> ") in the stack of the report's first site, the
 * biggest, which holds the memory; else the student's first frame; else
 * the first frame (where a test's own code crashed).  Paths are made absolute, from the directory
 * the binary runs in (the repository), since TestMate looks for a relative one beside the binary
 * only. */
#include "runner.h"

#include <CUnit/TestRun.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { GTEST_NAME = 128, MAX_FAILED = 1024, MESSAGE_LINE = 1024 };

/* Google Test's default file for --gtest_output=xml with no name. */
#define DEFAULT_XML "test_detail.xml"

/* The module's state: the flags, then the run's counts for the summary. */
static struct {
    bool listing;       /* --gtest_list_tests */
    const char *xml;    /* --gtest_output=xml:FILE */
    const char *filter; /* --gtest_filter=...; NULL: every test */
    enum { COLOUR_AUTO, COLOUR_YES, COLOUR_NO } colour;
    char directory[PATH_MAX]; /* relative paths are from here */

    const hb_test_def *const *definitions; /* main.c's, with their CUnit tests */
    const CU_pTest *tests;
    size_t count;
    struct timespec run_start, suite_start, test_start;
    unsigned suites, passed;
    struct {
        CU_pTest test;
        CU_pSuite suite;
    } failed[MAX_FAILED];
    size_t failed_count;
} gtest;

static const char *after_prefix(const char *argument, const char *prefix) {
    size_t length = strlen(prefix);
    return strncmp(argument, prefix, length) == 0 ? argument + length : NULL;
}

int hb_gtest_option(const char *argument) {
    const char *value;
    if (strncmp(argument, "--gtest_", 8) != 0)
        return 0;
    hb_gtest_request();
    if (strcmp(argument, "--gtest_list_tests") == 0) {
        gtest.listing = true;
    } else if ((value = after_prefix(argument, "--gtest_filter=")) != NULL) {
        gtest.filter = value;
    } else if (strcmp(argument, "--gtest_output=xml") == 0) {
        gtest.xml = DEFAULT_XML;
    } else if ((value = after_prefix(argument, "--gtest_output=xml:")) != NULL && *value != '\0') {
        gtest.xml = value;
    } else if ((value = after_prefix(argument, "--gtest_color=")) != NULL &&
               (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0 ||
                strcmp(value, "auto") == 0)) {
        gtest.colour = value[0] == 'y' ? COLOUR_YES : value[0] == 'n' ? COLOUR_NO : COLOUR_AUTO;
    } else if (strcmp(argument, "--gtest_also_run_disabled_tests") != 0 &&
               strcmp(argument, "--gtest_break_on_failure") != 0) {
        fprintf(stderr,
                "heapbook: %s is a Google Test flag this runner does not take; it takes "
                "--gtest_list_tests, --gtest_output=xml:FILE, --gtest_filter=PATTERNS, "
                "--gtest_color=yes|no|auto, --gtest_also_run_disabled_tests and "
                "--gtest_break_on_failure (--help says more)\n",
                argument);
        return -1;
    }
    return 1;
}

/* TestMate recognises a Google Test binary by this text in --help's output
 * (its framework regex: "This program contains tests written using" ...
 * "--gtest_list_tests" ... "List the names of all tests instead of running
 * them"), and takes the flags' prefix from it. */
void hb_gtest_help(FILE *out) {
    fprintf(out, "\n"
                 "This program contains tests written using heapbook's harness (CUnit).  For\n"
                 "editors (C++ TestMate), it takes these flags of Google Test's, and any of\n"
                 "them gives Google Test's output instead of CUnit's (docs/editor.md):\n"
                 "  --gtest_list_tests\n"
                 "      List the names of all tests instead of running them: Suite.test,\n"
                 "      the suite named after the exercise (ex01_fibonacci).\n"
                 "  --gtest_output=xml:FILE\n"
                 "      With --gtest_list_tests: the list, with each test's file and line.\n"
                 "  --gtest_filter=POSITIVE_PATTERNS[-NEGATIVE_PATTERNS]\n"
                 "      Run only the tests whose name matches one of the positive patterns\n"
                 "      but none of the negative ones; '?' matches one character, '*' any\n"
                 "      text, ':' separates two patterns.\n"
                 "  --gtest_color=(yes|no|auto)\n"
                 "      Colour in the reports; auto: at a terminal.\n"
                 "  --gtest_also_run_disabled_tests, --gtest_break_on_failure\n"
                 "      Taken, and change nothing: no test is disabled, and a debugger\n"
                 "      stops at a crash by itself.\n");
}

bool hb_gtest_listing(void) { return gtest.listing; }

bool hb_gtest_colour(bool terminal) {
    return gtest.colour == COLOUR_AUTO ? terminal : gtest.colour == COLOUR_YES;
}

/* "01-fibonacci" -> "ex01_fibonacci", "fixture: crashes" -> "fixture_crashes":
 * letters, digits and single underscores, starting with a letter. */
static const char *gtest_suite(const char *suite, char name[GTEST_NAME]) {
    size_t length = 0;
    if (isdigit((unsigned char)suite[0]))
        length = (size_t)snprintf(name, GTEST_NAME, "ex");
    for (const char *c = suite; *c != '\0' && length + 1 < GTEST_NAME; c++) {
        bool kept = isalnum((unsigned char)*c);
        if (kept)
            name[length++] = *c;
        else if (length > 0 && name[length - 1] != '_')
            name[length++] = '_';
    }
    while (length > 0 && name[length - 1] == '_')
        length--;
    name[length] = '\0';
    return name;
}

/* Google Test's wildcards: '?' one character, '*' any text.  On a
 * mismatch after a '*', that star takes one character more: each star is
 * retried at most once per character of `name`, so a pattern of many stars
 * cannot make the match exponential. */
static bool matches(const char *pattern, const char *pattern_end, const char *name) {
    const char *star = NULL, *star_name = NULL;
    while (*name != '\0') {
        if (pattern < pattern_end && *pattern == '*') {
            star = ++pattern;
            star_name = name;
        } else if (pattern < pattern_end && (*pattern == '?' || *pattern == *name)) {
            pattern++;
            name++;
        } else if (star != NULL) {
            pattern = star;
            name = ++star_name;
        } else {
            return false;
        }
    }
    while (pattern < pattern_end && *pattern == '*')
        pattern++;
    return pattern == pattern_end;
}

/* Whether `name` matches one of the ':'-separated patterns in [from, to). */
static bool matches_one_of(const char *from, const char *to, const char *name) {
    while (from <= to) {
        const char *end = memchr(from, ':', (size_t)(to - from));
        end = end != NULL ? end : to;
        if (matches(from, end, name))
            return true;
        from = end + 1;
    }
    return false;
}

bool hb_gtest_selects(const char *suite, const char *test) {
    if (gtest.filter == NULL)
        return true;
    char suite_name[GTEST_NAME], name[2 * GTEST_NAME];
    snprintf(name, sizeof name, "%s.%s", gtest_suite(suite, suite_name), test);
    const char *negative = strchr(gtest.filter, '-');
    const char *positive_end = negative != NULL ? negative : gtest.filter + strlen(gtest.filter);
    bool positive =
        positive_end == gtest.filter || matches_one_of(gtest.filter, positive_end, name);
    return positive &&
           !(negative != NULL && matches_one_of(negative + 1, negative + strlen(negative), name));
}

/* ---- paths and lines */

/* `file` as an absolute path, into `path`. */
static const char *absolute(const char *file, char path[PATH_MAX + GTEST_NAME]) {
    if (file[0] == '/' || gtest.directory[0] == '\0')
        snprintf(path, PATH_MAX + GTEST_NAME, "%s", file);
    else
        snprintf(path, PATH_MAX + GTEST_NAME, "%s/%s", gtest.directory, file);
    return path;
}

static const hb_test_def *definition_of(CU_pTest test) {
    for (size_t i = 0; i < gtest.count; i++)
        if (gtest.tests[i] == test)
            return gtest.definitions[i];
    return NULL;
}

static double milliseconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static const char *plural(unsigned count, const char *one, const char *more) {
    return count == 1 ? one : more;
}

/* ---- listing */

static bool write_list_xml(const char *path) {
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        fprintf(stderr, "heapbook: cannot write the test list to %s (--gtest_output): ", path);
        perror(NULL);
        return false;
    }
    CU_pTestRegistry registry = CU_get_registry();
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites tests=\"%u\" name=\"AllTests\">\n", registry->uiNumberOfTests);
    for (CU_pSuite suite = registry->pSuite; suite != NULL; suite = suite->pNext) {
        char name[GTEST_NAME];
        fprintf(out, "  <testsuite name=\"%s\" tests=\"%u\">\n", gtest_suite(suite->pName, name),
                suite->uiNumberOfTests);
        for (CU_pTest test = suite->pTest; test != NULL; test = test->pNext) {
            const hb_test_def *def = definition_of(test);
            char absolute_file[PATH_MAX + GTEST_NAME];
            fprintf(out, "    <testcase name=\"%s\" file=\"", test->pName);
            hb_xml_text(out, def != NULL ? absolute(def->file, absolute_file) : "");
            fprintf(out, "\" line=\"%u\" />\n", def != NULL ? def->line : 0);
        }
        fprintf(out, "  </testsuite>\n");
    }
    fprintf(out, "</testsuites>\n");
    bool written = !ferror(out);
    if (fclose(out) != 0 || !written) {
        fprintf(stderr, "heapbook: cannot write the test list to %s (--gtest_output)\n", path);
        return false;
    }
    return true;
}

/* main.c's tests, each CUnit test beside its definition, and the
 * directory relative paths are from. */
static void keep_tests(const hb_test_def *const *definitions, const CU_pTest *tests, size_t count) {
    gtest.definitions = definitions;
    gtest.tests = tests;
    gtest.count = count;
    if (getcwd(gtest.directory, sizeof gtest.directory) == NULL)
        gtest.directory[0] = '\0';
}

bool hb_gtest_list(const hb_test_def *const *definitions, const CU_pTest *tests, size_t count) {
    keep_tests(definitions, tests, count);
    for (CU_pSuite suite = CU_get_registry()->pSuite; suite != NULL; suite = suite->pNext) {
        char name[GTEST_NAME];
        printf("%s.\n", gtest_suite(suite->pName, name));
        for (CU_pTest test = suite->pTest; test != NULL; test = test->pNext)
            printf("  %s\n", test->pName);
    }
    return gtest.xml == NULL || write_list_xml(gtest.xml);
}

/* ---- a failure's places */

/* A frame line of a report, "[> ]function (file:line)[ [N more times]]"
 * without its indent: its file and line, and whether it is marked as the
 * student's.  False for any other line. */
static bool frame_place(const char *line, char file[PATH_MAX], unsigned *number, bool *marked,
                        char function[GTEST_NAME]) {
    *marked = strncmp(line, "> ", 2) == 0;
    line += *marked ? 2 : 0;
    size_t name_length = strcspn(line, " ");
    if (name_length == 0 || name_length >= GTEST_NAME || strncmp(line + name_length, " (", 2) != 0)
        return false;
    snprintf(function, GTEST_NAME, "%.*s", (int)name_length, line);
    const char *place = line + name_length + 2, *close = strchr(place, ')');
    if (close == NULL || !(close[1] == '\0' || strncmp(close + 1, " [", 2) == 0))
        return false;
    const char *colon = close;
    while (colon > place && isdigit((unsigned char)colon[-1]))
        colon--;
    if (colon == close || colon == place || colon[-1] != ':' || (size_t)(colon - place) >= PATH_MAX)
        return false;
    snprintf(file, PATH_MAX, "%.*s", (int)(colon - 1 - place), place);
    *number = (unsigned)strtoul(colon, NULL, 10);
    return true;
}

/* The line of `message` that starts at `from`, without its indent, into
 * `line`; returns where the next starts, or NULL at the end. */
static const char *next_line(const char *from, char line[MESSAGE_LINE]) {
    size_t length = strcspn(from, "\n");
    const char *text = from;
    while (*text == ' ' && text < from + length)
        text++;
    snprintf(line, MESSAGE_LINE, "%.*s", (int)(from + length - text), text);
    return from[length] == '\n' ? from + length + 1 : NULL;
}

/* A message's lines under a "FILE:LINE: Failure" line, then the blank line
 * that ends it for TestMate: the message's own blank lines are left out. */
static void print_failure(const char *file, unsigned line, const char *message) {
    char path[PATH_MAX + GTEST_NAME];
    printf("%s:%u: Failure\n", absolute(file, path), line);
    for (const char *from = message; from != NULL && *from != '\0';) {
        size_t length = strcspn(from, "\n");
        if (length > 0)
            printf("%.*s\n", (int)length, from);
        from = from[length] == '\n' ? from + length + 1 : NULL;
    }
    printf("\n");
}

/* Where in a report the editor should mark the student's code: the first
 * frame of the first kind a report has, of these, best first. */
enum place_kind {
    NO_PLACE,
    FIRST_FRAME,     /* where a test's own code crashed */
    YOUR_FRAME,      /* the student's code, marked "> " */
    YOUR_SITE_FRAME, /* the top of the student's code in a site's stack: the
                      * biggest site, listed first, which holds the memory */
};

typedef struct place {
    enum place_kind kind;
    char file[PATH_MAX];
    unsigned line;
    char function[GTEST_NAME];
    char site[MESSAGE_LINE]; /* of YOUR_SITE_FRAME: "512.0 KiB in 1 block" */
} place;

static const char *const SITE_END = ", allocated at";

static void find_place(const char *report, place *best) {
    char text[MESSAGE_LINE], site[MESSAGE_LINE] = "";
    place frame = {0};
    best->kind = NO_PLACE;
    for (const char *from = next_line(report, text);
         from != NULL && best->kind != YOUR_SITE_FRAME;) {
        from = next_line(from, text);
        size_t length = strlen(text);
        if (length > strlen(SITE_END) && strcmp(text + length - strlen(SITE_END), SITE_END) == 0) {
            snprintf(site, sizeof site, "%.*s", (int)(length - strlen(SITE_END)), text);
            continue;
        }
        bool marked;
        if (!frame_place(text, frame.file, &frame.line, &marked, frame.function))
            continue;
        frame.kind = !marked ? FIRST_FRAME : site[0] != '\0' ? YOUR_SITE_FRAME : YOUR_FRAME;
        if (frame.kind > best->kind) {
            *best = frame;
            snprintf(best->site, sizeof best->site, "%s", site);
        }
    }
}

/* The failure at its place, and at the student's line its report names. */
static void report_failure(const CU_FailureRecord *failure, const hb_test_def *def) {
    bool placed = failure->strFileName != NULL && failure->strFileName[0] != '\0';
    const char *file = placed ? failure->strFileName : def != NULL ? def->file : "";
    unsigned line = placed ? failure->uiLineNumber : def != NULL ? def->line : 0;
    /* The colour a terminal would show is no part of what the editor reads. */
    const char *condition = failure->strCondition != NULL ? failure->strCondition : "";
    char *plain = malloc(strlen(condition) + 1);
    if (plain == NULL) {
        print_failure(file, line, condition);
        return;
    }
    hb_report_strip_colour(condition, plain);
    print_failure(file, line, plain);

    static place found;
    char headline[MESSAGE_LINE], message[3 * MESSAGE_LINE];
    next_line(plain, headline);
    find_place(plain, &found);
    free(plain);
    if (found.kind == NO_PLACE || (strcmp(found.file, file) == 0 && found.line == line))
        return;
    /* "...: crashed: SIGSEGV (Segmentation fault) at:" reads as a whole
     * without the words that led to the stack. */
    size_t end = strlen(headline);
    if (end > 0 && headline[end - 1] == ':')
        headline[--end] = '\0';
    if (end > 3 && strcmp(headline + end - 3, " at") == 0)
        headline[end - 3] = '\0';
    if (found.kind == YOUR_SITE_FRAME)
        snprintf(message, sizeof message, "%s\n  %s, allocated here, in %s", headline, found.site,
                 found.function);
    else
        snprintf(message, sizeof message, "%s\n  here: %s, %s", headline, found.function,
                 found.kind == YOUR_FRAME ? "the first frame of the report that is your code"
                                          : "the first frame of the report");
    print_failure(found.file, found.line, message);
}

/* ---- running: CUnit's run, Google Test's lines */

static void suite_started(const CU_pSuite suite) {
    char name[GTEST_NAME];
    clock_gettime(CLOCK_MONOTONIC, &gtest.suite_start);
    gtest.suites++;
    printf("[----------] %u %s from %s\n", suite->uiNumberOfTests,
           plural(suite->uiNumberOfTests, "test", "tests"), gtest_suite(suite->pName, name));
}

static void test_started(const CU_pTest test, const CU_pSuite suite) {
    char name[GTEST_NAME];
    clock_gettime(CLOCK_MONOTONIC, &gtest.test_start);
    printf("[ RUN      ] %s.%s\n", gtest_suite(suite->pName, name), test->pName);
}

static void test_completed(const CU_pTest test, const CU_pSuite suite,
                           const CU_pFailureRecord failures) {
    char name[GTEST_NAME];
    const hb_test_def *def = definition_of(test);
    for (const CU_FailureRecord *failure = failures; failure != NULL; failure = failure->pNext)
        report_failure(failure, def);
    const hb_result *result = def != NULL ? hb_results_find(def->name) : NULL;
    if (failures == NULL && result != NULL && result->memory_test && result->measured) {
        hb_text figures = {0};
        hb_limits_figures(result, def->file, false, &figures);
        printf("%s\n", hb_text_get(&figures));
        hb_text_free(&figures);
    }
    if (failures != NULL && gtest.failed_count < MAX_FAILED) {
        gtest.failed[gtest.failed_count].test = test;
        gtest.failed[gtest.failed_count++].suite = suite;
    }
    gtest.passed += failures == NULL;
    printf("%s %s.%s (%.0f ms)\n", failures == NULL ? "[       OK ]" : "[  FAILED  ]",
           gtest_suite(suite->pName, name), test->pName, milliseconds_since(&gtest.test_start));
}

static void suite_completed(const CU_pSuite suite, const CU_pFailureRecord failures) {
    (void)failures;
    char name[GTEST_NAME];
    printf("[----------] %u %s from %s (%.0f ms total)\n\n", suite->uiNumberOfTests,
           plural(suite->uiNumberOfTests, "test", "tests"), gtest_suite(suite->pName, name),
           milliseconds_since(&gtest.suite_start));
}

static void all_completed(const CU_pFailureRecord failures) {
    (void)failures;
    unsigned ran = CU_get_registry()->uiNumberOfTests;
    printf("[----------] Global test environment tear-down\n");
    printf("[==========] %u %s from %u test %s ran. (%.0f ms total)\n", ran,
           plural(ran, "test", "tests"), gtest.suites, plural(gtest.suites, "suite", "suites"),
           milliseconds_since(&gtest.run_start));
    printf("[  PASSED  ] %u %s.\n", gtest.passed, plural(gtest.passed, "test", "tests"));
    if (gtest.failed_count == 0)
        return;
    unsigned failed = (unsigned)gtest.failed_count;
    printf("[  FAILED  ] %u %s, listed below:\n", failed, plural(failed, "test", "tests"));
    for (size_t i = 0; i < gtest.failed_count; i++) {
        char name[GTEST_NAME];
        printf("[  FAILED  ] %s.%s\n", gtest_suite(gtest.failed[i].suite->pName, name),
               gtest.failed[i].test->pName);
    }
    printf("\n%2u FAILED %s\n", failed, plural(failed, "TEST", "TESTS"));
}

void hb_gtest_run(const hb_test_def *const *definitions, const CU_pTest *tests, size_t count) {
    keep_tests(definitions, tests, count);
    if (gtest.xml != NULL)
        fprintf(stderr, "heapbook: --gtest_output writes the list of tests, with "
                        "--gtest_list_tests; a run's results go to --junit FILE\n");
    CU_pTestRegistry registry = CU_get_registry();
    if (gtest.filter != NULL)
        printf("Note: Google Test filter = %s\n", gtest.filter);
    printf("[==========] Running %u %s from %u test %s.\n", registry->uiNumberOfTests,
           plural(registry->uiNumberOfTests, "test", "tests"), registry->uiNumberOfSuites,
           plural(registry->uiNumberOfSuites, "suite", "suites"));
    printf("[----------] Global test environment set-up.\n");
    clock_gettime(CLOCK_MONOTONIC, &gtest.run_start);
    CU_set_suite_start_handler(suite_started);
    CU_set_test_start_handler(test_started);
    CU_set_test_complete_handler(test_completed);
    CU_set_suite_complete_handler(suite_completed);
    CU_set_all_test_complete_handler(all_completed);
    CU_run_all_tests();
}
