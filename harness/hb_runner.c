/* hb_runner: main() of every test binary.
 *
 *   ./test-binary [--results FILE]
 *
 * Runs every registered test with CUnit's basic interface (verbose), prints
 * CUnit's run summary, optionally writes one line per test to FILE:
 *
 *   suite <TAB> test <TAB> passed|failed <TAB> reasons <TAB> peak <TAB> leaked <TAB> allocations
 *
 * where reasons are hb_failure names plus "assert" for failed assertions,
 * and the figures are bytes and counts of the memory tests ("-" for tests
 * without a measured scope).  Exits 0 only if every test passed.
 *
 * Each test runs in a child process (hb_isolate.h); HEAPBOOK_FORK=0 runs
 * them in this process, HEAPBOOK_TIMEOUT=N sets the seconds per test. */
#include "heapbook.h"

#include "hb_isolate.h"
#include "hb_results.h"
#include "hb_track.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_TESTS = 1024, MAX_SUITE_NAME = 128 };

static hb_test_def *registered;
static size_t registered_count;

/* Every CUnit test runs run_current_test(), which finds its definition here
 * and runs it isolated (hb_isolate.h) unless HEAPBOOK_FORK=0. */
static CU_pTest cunit_tests[MAX_TESTS];
static const hb_test_def *definitions[MAX_TESTS];
static size_t definition_count;
static bool isolated = true;
static unsigned timeout_seconds = HB_DEFAULT_TIMEOUT_SECONDS;

static void run_current_test(void) {
    CU_pTest current = CU_get_current_test();
    for (size_t i = 0; i < definition_count; i++) {
        if (cunit_tests[i] != current)
            continue;
        if (isolated)
            hb_isolate_run(definitions[i], timeout_seconds);
        else
            definitions[i]->run();
        return;
    }
}

static void read_environment(void) {
    const char *fork_setting = getenv("HEAPBOOK_FORK");
    if (fork_setting != NULL && (strcmp(fork_setting, "0") == 0 || strcmp(fork_setting, "no") == 0))
        isolated = false;
    const char *timeout = getenv("HEAPBOOK_TIMEOUT");
    if (timeout != NULL && atoi(timeout) > 0)
        timeout_seconds = (unsigned)atoi(timeout);
}

void hb_register_test(hb_test_def *test) {
    test->next = registered;
    registered = test;
    registered_count++;
}

/* "tests/exercises/test_01_fibonacci.c" -> "test_01_fibonacci" */
static const char *suite_name(const hb_test_def *test, char name[MAX_SUITE_NAME]) {
    if (test->suite != NULL)
        return test->suite;
    const char *base = strrchr(test->file, '/');
    base = base ? base + 1 : test->file;
    snprintf(name, MAX_SUITE_NAME, "%.*s", (int)strcspn(base, "."), base);
    return name;
}

static bool runs_before(const hb_test_def *a, const hb_test_def *b) {
    char name_a[MAX_SUITE_NAME], name_b[MAX_SUITE_NAME];
    int order = strcmp(suite_name(a, name_a), suite_name(b, name_b));
    return order != 0 ? order < 0 : a->line < b->line;
}

/* Constructors run in no promised order: sort by suite, then by line. */
static size_t sorted_tests(hb_test_def *tests[MAX_TESTS]) {
    size_t count = 0;
    for (hb_test_def *t = registered; t != NULL && count < MAX_TESTS; t = t->next) {
        size_t at = count++;
        while (at > 0 && runs_before(t, tests[at - 1])) {
            tests[at] = tests[at - 1];
            at--;
        }
        tests[at] = t;
    }
    return count;
}

static bool register_with_cunit(void) {
    hb_test_def *tests[MAX_TESTS];
    size_t count = sorted_tests(tests);
    if (count < registered_count) {
        fprintf(stderr, "heapbook: more than %d tests in one binary\n", MAX_TESTS);
        return false;
    }
    CU_pSuite suite = NULL;
    char current[MAX_SUITE_NAME] = "";
    for (size_t i = 0; i < count; i++) {
        char name[MAX_SUITE_NAME];
        const char *wanted = suite_name(tests[i], name);
        if (suite == NULL || strcmp(current, wanted) != 0) {
            snprintf(current, sizeof current, "%s", wanted);
            suite =
                CU_add_suite_with_setup_and_teardown(current, NULL, NULL, NULL, hb_test_tear_down);
        }
        CU_pTest added = suite ? CU_add_test(suite, tests[i]->name, run_current_test) : NULL;
        if (added == NULL) {
            fprintf(stderr, "heapbook: cannot register %s: %s\n", tests[i]->name,
                    CU_get_error_msg());
            return false;
        }
        cunit_tests[definition_count] = added;
        definitions[definition_count++] = tests[i];
    }
    return true;
}

static unsigned failure_count(const CU_pTest test) {
    unsigned count = 0;
    for (CU_pFailureRecord f = CU_get_failure_list(); f != NULL; f = f->pNext)
        if (f->pTest == test)
            count++;
    return count;
}

static void write_result(FILE *out, const CU_pSuite suite, const CU_pTest test) {
    const hb_result *result = hb_results_find(test->pName);
    unsigned failures = failure_count(test);
    unsigned from_harness = result ? result->reports : 0;
    char reasons[80];
    hb_failure_names(result ? result->failures : 0, reasons);
    if (failures > from_harness)
        strcat(reasons, reasons[0] ? ",assert" : "assert");
    fprintf(out, "%s\t%s\t%s\t%s\t", suite->pName, test->pName, failures ? "failed" : "passed",
            reasons[0] ? reasons : "-");
    if (result != NULL && result->measured)
        fprintf(out, "%zu\t%zu\t%llu\n", result->usage.peak_bytes, result->usage.live_bytes,
                (unsigned long long)result->usage.allocations);
    else
        fprintf(out, "-\t-\t-\n");
}

static bool write_results(const char *path) {
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        perror(path);
        return false;
    }
    for (CU_pSuite s = CU_get_registry()->pSuite; s != NULL; s = s->pNext)
        for (CU_pTest t = s->pTest; t != NULL; t = t->pNext)
            write_result(out, s, t);
    return fclose(out) == 0;
}

int main(int argc, char **argv) {
    /* A buffer of our own, line-buffered whether stdout is a terminal or a
     * pipe: stdio would otherwise malloc one on first use, of a size that
     * depends on where stdout goes. */
    static char stdout_buffer[BUFSIZ];
    setvbuf(stdout, stdout_buffer, _IOLBF, sizeof stdout_buffer);

    const char *results_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--results") == 0 && i + 1 < argc) {
            results_path = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--results FILE]\n", argv[0]);
            return 2;
        }
    }

    read_environment();
    hb_track_exclude_library("libcunit.so");
    if (CU_initialize_registry() != CUE_SUCCESS || !register_with_cunit())
        return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    bool ok = CU_get_number_of_failure_records() == 0 && CU_get_number_of_suites_failed() == 0;
    if (results_path != NULL && !write_results(results_path))
        ok = false;
    CU_cleanup_registry();
    return ok ? 0 : 1;
}
