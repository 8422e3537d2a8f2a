/* main.c: main() of every test binary.
 *
 *   ./tests [--test NAME]... [--results FILE] [--junit FILE] [--json FILE]
 *           [--baseline FILE [--fail-on-increase]] [--record-times FILE]
 *           [--gtest_...] [--help]
 *
 * Runs every registered test with CUnit's basic interface (verbose), prints
 * CUnit's run summary, writes the results files asked for and
 * the baseline (runner.h: Results), and exits 0 only if every test passed.
 * Google Test's flags (gtest.c) list or run them for editors instead.
 *
 * Each test runs in a child process (parent.c, child.c); HEAPBOOK_FORK=0 runs
 * them in this process.  HEAPBOOK_SOLUTION_TIMES=FILE sets each test's time
 * limit from the reference solution's time, written by --record-times, and
 * HEAPBOOK_TIMEOUT=N sets N seconds for every test (settings.c).  A bad
 * option or environment variable (settings.c) exits 2 before any test. */
#include "runner.h"

#include <CUnit/Basic.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_TESTS = 1024, MAX_SUITE_NAME = 128 };

static hb_test_def *registered;
static size_t registered_count;

/* Every CUnit test runs run_current_test(), which finds its definition here
 * and runs it isolated (parent.c) unless HEAPBOOK_FORK=0. */
static CU_pTest cunit_tests[MAX_TESTS];
static const hb_test_def *definitions[MAX_TESTS];
static size_t definition_count;

enum { MAX_CHOSEN_TESTS = 32 };

typedef struct options {
    const char *results, *junit, *json, *baseline, *record_times;
    bool fail_on_increase;
    const char *tests[MAX_CHOSEN_TESTS]; /* --test: only these run */
    size_t test_count;
} options;
static options chosen;

/* Regression mode: fails the test if it grew past its baseline, and makes
 * its figures the new baseline if it passed. */
static void compare_with_baseline(const hb_test_def *def, unsigned failures_before) {
    const hb_result *found = hb_results_find(def->name);
    if (found == NULL || chosen.baseline == NULL)
        return;
    hb_result result = *found;
    hb_text report = {0};
    if (chosen.fail_on_increase && hb_baseline_exceeded(&result, &report)) {
        result.failures |= HB_FAILED_INCREASE;
        result.reports++;
        hb_results_record(&result);
        CU_assertImplementation(CU_FALSE, def->line, hb_text_get(&report), def->file, "", CU_FALSE);
    }
    hb_text_free(&report);
    if (CU_get_number_of_failures() == failures_before)
        hb_baseline_update(&result);
}

static void run_current_test(void) {
    CU_pTest current = CU_get_current_test();
    for (size_t i = 0; i < definition_count; i++) {
        if (cunit_tests[i] != current)
            continue;
        unsigned failures_before = CU_get_number_of_failures();
        hb_time_limit limit;
        hb_time_limit_of(definitions[i]->name, &limit);
        hb_elapsed_report_real_time();
        hb_exit_handlers_forget();
        if (hb_runner_isolated())
            hb_isolate_run(definitions[i], &limit);
        else
            hb_isolate_run_here(definitions[i], &limit);
        hb_exit_handlers_say();
        compare_with_baseline(definitions[i], failures_before);
        if (CU_get_number_of_failures() == failures_before && !hb_gtest_requested())
            hb_limits_print_passed(definitions[i]);
        return;
    }
}

void hb_register_test(hb_test_def *test) {
    /* Where AddressSanitizer owns malloc, a test ends with LeakSanitizer's
     * check.  Chosen here, in the harness's own build, rather than by the
     * suite's preprocessor, which reads the same in both builds. */
    if (HB_SANITIZED && test->checked != NULL)
        test->run = test->checked;
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

static bool chosen_test(const char *name) {
    for (size_t i = 0; i < chosen.test_count; i++)
        if (strcmp(chosen.tests[i], name) == 0)
            return true;
    return chosen.test_count == 0;
}

/* Every --test names a test, or the run stops before it starts. */
static bool chosen_tests_exist(hb_test_def *const *tests, size_t count) {
    bool all_found = true;
    for (size_t i = 0; i < chosen.test_count; i++) {
        bool found = false;
        for (size_t t = 0; t < count && !found; t++)
            found = strcmp(tests[t]->name, chosen.tests[i]) == 0;
        if (!found) {
            fprintf(stderr, "heapbook: no test named %s; the tests are:", chosen.tests[i]);
            for (size_t t = 0; t < count; t++)
                fprintf(stderr, " %s", tests[t]->name);
            fprintf(stderr, "\n");
            all_found = false;
        }
    }
    return all_found;
}

static bool register_with_cunit(void) {
    hb_test_def *tests[MAX_TESTS];
    size_t count = sorted_tests(tests);
    if (!chosen_tests_exist(tests, count))
        return false;
    if (count < registered_count) {
        fprintf(stderr, "heapbook: more than %d tests in one binary\n", MAX_TESTS);
        return false;
    }
    CU_pSuite suite = NULL;
    char current[MAX_SUITE_NAME] = "";
    for (size_t i = 0; i < count; i++) {
        char name[MAX_SUITE_NAME];
        const char *wanted = suite_name(tests[i], name);
        if (!chosen_test(tests[i]->name) || !hb_gtest_selects(wanted, tests[i]->name))
            continue;
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

/* What the C library keeps for the rest of the process, on the first call
 * of these, is not the measured code's memory, nor its leak (valgrind's
 * suppressions say the same): allocations anywhere below them count in no
 * scope with stacks (every test's).  tests/harness/test_exclusions.c has a
 * case for each kind; docs/harness.md lists them. */
static const char *const glibc_caches[] = {
    /* the locale's data, loaded once */
    "setlocale",
    "newlocale",
    /* the converters' cache and the modules loaded for them */
    "iconv_open",
    /* Functions whose answer lives in storage of the C library's own, kept
     * for the next call (the caller frees nothing), with the name-service
     * modules (nss) they load: users, groups, hosts. */
    "getpwnam",
    "getpwuid",
    "getgrnam",
    "getgrgid",
    "gethostbyname",
    "gethostbyname2",
    "gethostbyaddr",
    /* the text of a number no message has, kept for the thread */
    "strerror",
    "strerror_l",
    "strsignal",
    /* a failed dlopen's message, kept for the thread until dlerror's next;
     * a library loaded is the dynamic linker's (ld-linux, below) */
    "dlopen",
    "dlerror",
    /* What getaddrinfo, getnameinfo and the reentrant lookups keep: the
     * name-service configuration and its modules, and resolv.conf.  Not
     * the functions themselves: the list getaddrinfo returns is the
     * caller's, and one never given to freeaddrinfo is a leak. */
    "__nss_database_get",
    "__nss_hosts_lookup2",
    "__nss_passwd_lookup2",
    "__nss_group_lookup2",
    "__nss_services_lookup2",
    "__nss_lookup_function",
    "__resolv_context_get",
};

/* getaddrinfo sorts several answers by what the kernel tells it of the
 * machine's interfaces, and keeps that until its next sort replaces it
 * (glibc's check_pf.c), from a function glibc does not export: no name to
 * suppress.  Its call sites are learnt instead, from one sort made here
 * (of the loopback addresses of both families: no file read, no network):
 * what that sort leaves live is glibc's to keep, and every frame between
 * the allocation and getaddrinfo a call of glibc's own. */
static void suppress_the_sort_cache(void) {
    enum { MOST_SITES = 8 };
    hb_scope *scope = hb_scope_begin(HB_SCOPE_STACKS);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
    if (getaddrinfo(NULL, "80", &hints, &found) == 0)
        freeaddrinfo(found);
    hb_scope_end(scope);
    hb_site sites[MOST_SITES];
    size_t count = hb_scope_sites(scope, HB_SITES_LIVE, sites, MOST_SITES);
    hb_code_range getaddrinfo_code = {0, 0}; /* empty if unknown: then nothing is suppressed */
    hb_function_range((const void *)getaddrinfo, &getaddrinfo_code);
    for (size_t i = 0; i < count && i < MOST_SITES; i++) {
        uintptr_t frames[HB_STACK_MAX_FRAMES];
        size_t depth = hb_stacks_frames(sites[i].stack_id, frames), below = 0;
        while (below < depth &&
               !(frames[below] >= getaddrinfo_code.start && frames[below] < getaddrinfo_code.end))
            below++;
        for (size_t f = 0; below < depth && f < below; f++)
            hb_suppress_call_site(frames[f]);
    }
    hb_scope_release(scope);
}

static void suppress_glibc_caches(void) {
    for (size_t i = 0; i < sizeof glibc_caches / sizeof glibc_caches[0]; i++)
        hb_suppress_function(glibc_caches[i]);
    suppress_the_sort_cache();
    /* The time zone: without TZ, glibc reads /etc/localtime again at
     * every mktime() or strftime(), replacing the block it keeps.  TZ
     * naming that same file keeps the zone and makes glibc read it once,
     * now, before any test.  (It reaches the file through functions it
     * does not export: no frame of a stack could say so.) */
    if (getenv("TZ") == NULL)
        setenv("TZ", ":/etc/localtime", 0);
    tzset();
    /* The dynamic linker's own (a thread's TLS blocks and their table, a
     * library's) is no one's leak either. */
    hb_exclude_library("ld-linux");
}

static void usage(FILE *out, const char *program) {
    fprintf(out,
            "usage: %s [--test NAME]... [--results FILE] [--junit FILE] [--json FILE]\n"
            "          [--baseline FILE [--fail-on-increase]] [--record-times FILE]\n"
            "          [--gtest_...] [--help]\n",
            program);
}

/* False when the run stops here: `status` says how. */
static bool parse_options(int argc, char **argv, int *status) {
    *status = 2;
    for (int i = 1; i < argc; i++) {
        int gtest_flag = hb_gtest_option(argv[i]);
        if (gtest_flag != 0) {
            if (gtest_flag < 0)
                return false;
            continue;
        }
        const char **path = strcmp(argv[i], "--results") == 0    ? &chosen.results
                            : strcmp(argv[i], "--junit") == 0    ? &chosen.junit
                            : strcmp(argv[i], "--json") == 0     ? &chosen.json
                            : strcmp(argv[i], "--baseline") == 0 ? &chosen.baseline
                                                                 : NULL;
        if (path != NULL && i + 1 < argc) {
            *path = argv[++i];
        } else if (strcmp(argv[i], "--record-times") == 0 && i + 1 < argc) {
            chosen.record_times = argv[++i];
        } else if (strcmp(argv[i], "--test") == 0 && i + 1 < argc &&
                   chosen.test_count < MAX_CHOSEN_TESTS) {
            chosen.tests[chosen.test_count++] = argv[++i];
        } else if (strcmp(argv[i], "--fail-on-increase") == 0) {
            chosen.fail_on_increase = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout, argv[0]);
            hb_gtest_help(stdout);
            *status = 0;
            return false;
        } else {
            usage(stderr, argv[0]);
            return false;
        }
    }
    if (chosen.fail_on_increase && chosen.baseline == NULL) {
        fprintf(stderr, "%s: --fail-on-increase needs --baseline FILE\n", argv[0]);
        return false;
    }
    return true;
}

/* Colour in reports at a terminal, unless NO_COLOR is set (no-color.org)
 * or the terminal says it has none. */
static bool wants_colour(void) {
    const char *no_colour = getenv("NO_COLOR"), *terminal = getenv("TERM");
    return isatty(STDOUT_FILENO) && (no_colour == NULL || no_colour[0] == '\0') &&
           !(terminal != NULL && strcmp(terminal, "dumb") == 0);
}

/* Before the program's own constructors (priority 101: after the
 * libraries', before any other): CUnit and the harness's own libraries,
 * whose allocations and mappings are its work, are excluded from the
 * start, and what the suite's constructors keep is counted. */
__attribute__((constructor(101))) static void before_the_constructors(void) {
    hb_exclude_library("libcunit.so");
    hb_exclude_library("libmimalloc.so");
    hb_exclude_library("libunwind");
    hb_exclude_library("libdw");
    hb_exclude_library("libelf");
    hb_startup_memory_count();
}

HB_API int main(int argc, char **argv) {
    /* A buffer of our own, line-buffered whether stdout is a terminal or a
     * pipe: stdio would otherwise malloc one on first use, of a size that
     * depends on where stdout goes. */
    static char stdout_buffer[BUFSIZ];
    setvbuf(stdout, stdout_buffer, _IOLBF, sizeof stdout_buffer);

    hb_startup_memory_end();
    int status;
    if (!parse_options(argc, argv, &status))
        return status;
    if (chosen.baseline != NULL && !hb_baseline_load(chosen.baseline))
        return 2;
    if (!hb_environment_check())
        return 2;

    /* Every function of a test binary keeps its frame pointer
     * (mk/config.mk): stacks are walked by them. */
    hb_stacks_trust_frame_pointers();
    hb_report_use_colour(hb_gtest_colour(wants_colour()));
    hb_random_choose_seed();
    suppress_glibc_caches();
    hb_misuse_start(NULL); /* the isolated child sends its reports to us */
    hb_quarantine_enable(true);
    if (CU_initialize_registry() != CUE_SUCCESS || !register_with_cunit())
        return 2;
    if (hb_gtest_listing()) {
        bool listed = hb_gtest_list(definitions, cunit_tests, definition_count);
        CU_cleanup_registry();
        return listed ? 0 : 2;
    }
    hb_elapsed_start();
    if (hb_gtest_requested()) {
        hb_gtest_run(definitions, cunit_tests, definition_count);
    } else {
        CU_basic_set_mode(CU_BRM_VERBOSE);
        CU_basic_run_tests();
    }
    bool ok = CU_get_number_of_failure_records() == 0 && CU_get_number_of_suites_failed() == 0;
    ok &= chosen.results == NULL || hb_export_tsv(chosen.results);
    ok &= chosen.junit == NULL || hb_export_junit(chosen.junit);
    ok &= chosen.json == NULL || hb_export_json(chosen.json);
    ok &= chosen.baseline == NULL || hb_baseline_save(chosen.baseline);
    ok &= chosen.record_times == NULL || hb_times_save(chosen.record_times);
    CU_cleanup_registry();
    return ok ? 0 : 1;
}
