/* runner.h: the CUnit runner's modules, behind heapbook.h:
 *
 *   main.c       main() of every test binary: its options, the run
 *   settings.c   the HEAPBOOK_* variables, and each test's time limits
 *   parent.c     each test in a process of its own: forked, read, waited for
 *   child.c      the test's process: its handlers, timers, report channel,
 *                and what the whole test left allocated
 *   protocol.c   the messages between the two (protocol.h)
 *   judge.c      how a test's process died, and the fault injection's verdict
 *   limits.c     a memory test's verdict: its limits, its leak, the kernel's
 *   sandbox.c    the files the test's process may open; exit handlers said
 *   measure.c    memory tests in their process: the measured scope, the
 *                stack, and the processes a memory test may not make
 *   fault_each.c every allocation of some code made to fail in turn
 *   assert.c     assertions, random inputs, the context of a failure
 *   results.c    each test's outcome, the baseline, the results files
 *   gtest.c      Google Test's flags and output, for editors
 *   memcheck.c   the harness when a sanitizer or valgrind owns malloc
 *
 * isolate.h is what the modules of a test's process and of the parent's
 * judgement share.  Calls go one way (make check proves it:
 * tools/call_cycles.py), from the top: main -> parent, measure, gtest
 * (and lower ones); parent -> child, judge, limits; measure and
 * fault_each -> child (what a test calls in its process, over the
 * process's own module); gtest -> limits; child -> judge, sandbox,
 * protocol; judge, limits and sandbox -> some of memcheck, assert,
 * settings and results; memcheck -> results; assert -> settings.
 * settings, results and protocol call no other module.  Where a lower
 * module needs an upper one's code, the upper one hands it down: parent.c
 * gives child.c its reader of a part judged in the test's own process,
 * child.c gives memcheck.c where a sanitizer's summary goes. */
#ifndef HB_RUNNER_H
#define HB_RUNNER_H

#include "../support/support.h"
#include "heapbook.h"

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ======================================================================
 * Time limits (settings.c): how long each test may run.
 *
 * An endless loop should cost a student about a second, and a correct
 * answer should never fail for being slow on a slow or loaded machine.  So
 * a test's limit is processor time, which a loaded machine hardly changes,
 * and comes from the reference solution's own time for that test, measured
 * on the same machine by the build (the solution's binary run with
 * --record-times FILE, mk/exercises.mk), and handed to the student's binary
 * by `make test` in HEAPBOOK_SOLUTION_TIMES=FILE:
 *
 *   processor time: 20 times the solution's, at least 1 s, in tenths of a
 *     second (SIGPROF: an endless loop, or work far beyond the solution's);
 *   real time: 3 times that, at least 10 s (SIGALRM: a test stuck waiting).
 *
 * A test with no time of the solution's (the binary run by hand, the
 * harness's own tests) gets the default, 10 s of real time.
 * HEAPBOOK_TIMEOUT=N overrides both: N seconds of real time for every test.
 * Each limit carries what it was based on, for the message of a test that
 * exceeds it: the limit, why, and the variable that changes it.
 *
 * Every test's processor time (its process's and those it waited for: a
 * fault injection's parts) is measured, for --record-times, and the run's
 * real time replaces CUnit's "Elapsed time", which is the processor time of
 * the process that only waits for the tests. */

enum { HB_DEFAULT_TIMEOUT_SECONDS = 10 };

/* A test with a limit in processor time whose real-time limit comes while
 * it is still using the processor is starved by a busy machine, not stuck:
 * its real-time limit is renewed, up to this many times, so that it ends
 * at its processor limit with the same message however loaded the machine
 * is.  A test that used almost no processor time in the last period (it
 * waits: a read, a lock, a sleep) ends at once, as before. */
enum { HB_STARVED_RENEWALS = 5 };

typedef struct hb_time_limit {
    unsigned wall_seconds; /* real time, for alarm() and the parent's deadline */
    unsigned processor_ms; /* processor time of the test's process; 0: no such limit */
    enum hb_time_basis {
        HB_TIME_DEFAULT,  /* no time of the solution's for the test */
        HB_TIME_OVERRIDE, /* HEAPBOOK_TIMEOUT */
        HB_TIME_SOLUTION, /* from solution_us */
    } basis;
    unsigned long long solution_us; /* the solution's processor time for the test */
} hb_time_limit;

/* Before any constructor runs: the values of HEAPBOOK_TIMEOUT and
 * HEAPBOOK_SOLUTION_TIMES, or NULL; kept (copied) for hb_time_limits_load. */
void hb_time_limits_configure(const char *timeout, const char *solution_times);

/* In main(), before the tests: checks HEAPBOOK_TIMEOUT (a whole number of
 * seconds, 1 or more) and reads the solution's times (a regular file of
 * "test<TAB>microseconds" lines and '#' comments).  False, having said
 * why on stderr (hb_environment_error), if either is anything else: a FIFO
 * or a device is refused without a wait, a bad line named by its number. */
bool hb_time_limits_load(void);

/* The limits of `test`. */
void hb_time_limit_of(const char *test, hb_time_limit *limit);

/* Appends what a test that ran past `limit` did, where (`where`: its
 * stack), what the limit was based on and how to change it:
 *
 *   timed out after 1 s of processor time (an endless loop?), while in f ...
 *         its limit is 20 times the 0.41 ms the reference solution takes ...
 *
 * `processor`: the processor limit stopped it; false: real time did. */
void hb_time_limit_report(const hb_time_limit *limit, bool processor, const char *where,
                          hb_text *report);

/* Records the processor time `test` took, in microseconds. */
void hb_time_record(const char *test, unsigned long long processor_us);

/* --record-times FILE: "test <TAB> microseconds" for each test run, after
 * a comment line; false (with a message) if it cannot be written. */
bool hb_times_save(const char *path);

/* Just before CUnit runs the tests, and then at the first test (CUnit's
 * basic interface installs its handlers as the run starts): CUnit's summary
 * is made to state the run's real time. */
void hb_elapsed_start(void);
void hb_elapsed_report_real_time(void);

/* ======================================================================
 * Isolation (isolate.h: protocol.c, child.c, parent.c, judge.c): each test
 * in a child process of its own, as Check and Criterion do, so that a
 * crash, an infinite loop or a call to exit() in the code under test is one
 * failed test with a message, and the other tests and CUnit's summary
 * still run.
 *
 * The child runs the test and sends what it saw (assertions passed, each
 * failure, its raw measurement) to the parent, in messages the parent
 * checks before it believes them (protocol.h); the parent replays the
 * assertions into CUnit and judges the limits itself.  If the child dies
 * instead, the parent reports how:
 *
 *   crashed: SIGSEGV (segmentation fault) at f (file:line) <- g (...) <- ...
 *   timed out after 1 s of processor time (an endless loop?), while in f ...
 *   ended the test process: exit(3) called from f (file:line) <- ...
 *
 * Only the test's process speaks: its children are silent, its death is
 * seen by its pid at once, and every process it started is ended with it.
 * HEAPBOOK_FORK=0 in the environment runs tests in-process instead (for a
 * debugger), without time limits. */

/* Runs `test` in a child within `limit` and reports into the current CUnit
 * test; called from inside a CUnit run.  Records the processor time it took
 * (hb_time_record). */
void hb_isolate_run(const hb_test_def *test, const hb_time_limit *limit);

/* The same without a process of its own (HEAPBOOK_FORK=0): a crash ends
 * every test, a memory error is reported on stderr. */
void hb_isolate_run_here(const hb_test_def *test, const hb_time_limit *limit);

/* ======================================================================
 * Environment (settings.c): HEAPBOOK_FORK, HEAPBOOK_TIMEOUT,
 * HEAPBOOK_SEED and HEAPBOOK_SOLUTION_TIMES, copied before any constructor
 * runs (code under test cannot change them), checked before any test.
 * Empty is the same as unset; anything but an accepted form stops the run
 * with exit status 2, as a bad option does. */

/* In main(): checks every variable (the time limits' with
 * hb_time_limits_load); false, each bad one said on stderr, if any is
 * bad. */
bool hb_environment_check(void);

/* Reads `text` as decimal digits alone (no sign, space or other base) into
 * *number; false if it is anything else or more than `max`. */
bool hb_environment_whole_number(const char *text, unsigned long long max,
                                 unsigned long long *number);

/* False when HEAPBOOK_FORK=0 runs the tests in this process. */
bool hb_runner_isolated(void);

/* HEAPBOOK_SEED, once checked: true and the seed if it was given. */
bool hb_environment_seed(unsigned long long *seed);

/* ======================================================================
 * Sandbox (sandbox.c): what the code under test may do besides
 * allocating.  It may open files only to read them (isolate.h:
 * hb_read_only_enter); it may start no process inside a memory test
 * (measure.c).  atexit(), on_exit() and at_quick_exit() are the
 * harness's, passed on to the C library; a handler the code under test
 * registers never runs (a test's process ends with _exit()), and the
 * test's line says so. */

/* In the runner's process, before a test: forgets what earlier tests
 * registered. */
void hb_exit_handlers_forget(void);

/* After it: prints, on the test's line, each exit handler the code under
 * test registered (none when tests are not isolated: then they run when
 * the whole run ends), and forgets them. */
void hb_exit_handlers_say(void);

/* ======================================================================
 * Context (assert.c): what a failure says besides its own text. */

/* The allocation being made to fail ("while allocation 2 of 5 in f was
 * made to fail"), said by every failure from now on; NULL clears it. */
void hb_context_set_fault(const char *note);

/* Appends the context, each part on a line of its own: the allocation
 * being made to fail, and the seed of the random inputs the test drew. */
void hb_context_append(hb_text *report);

enum {
    HB_CONTEXT_DRAWS = 8, /* random inputs a failure shows */
    HB_DRAW_NAME = 32,    /* of what one stands for, as hb_random_named was told */
};

/* One random input: its value, and what it stands for ("" if not said). */
typedef struct hb_draw {
    uint64_t value;
    char name[HB_DRAW_NAME];
} hb_draw;

/* In a test's process: the random inputs the running test drew (the first
 * HB_CONTEXT_DRAWS of them) into `draws`; returns how many, 0 if none. */
size_t hb_context_draws(hb_draw draws[HB_CONTEXT_DRAWS]);

/* In the runner: the running test's draws, as its process sent them, for
 * the context of the failures the runner reports. */
void hb_context_adopt_draws(const hb_draw *draws, size_t count);

/* Before the tests: this run's seed, from HEAPBOOK_SEED or the clock. */
void hb_random_choose_seed(void);

/* ======================================================================
 * Limits (limits.c; a scope measured: measure.c): the verdict on a
 * measured scope. */

/* The stack limit of a memory test that sets no .stack: every shipped
 * solution's tests go less than a fifth as deep (docs/harness.md: Limits),
 * and a recursion as deep as its input, or a buffer of its input's size
 * on the stack, goes past it at the lessons' sizes. */
#define HB_DEFAULT_STACK_LIMIT_TEXT "64 KiB"
enum { HB_DEFAULT_STACK_LIMIT = 64 * 1024 };

/* The limits as numbers; a `has_` flag is false where the test sets no
 * limit (then `stack` is HB_DEFAULT_STACK_LIMIT, the others 0). */
typedef struct hb_parsed_limits {
    bool has_peak, has_leaks, has_allocations, has_stack;
    size_t peak, leaks, allocations, stack;
    hb_limits written; /* as the test wrote them, for reports */
} hb_parsed_limits;

/* Parses the limits before a scope runs.  Returns HB_FAILED_BAD_LIMIT, and
 * explains each bad limit in `report`, if one cannot be parsed; else 0. */
unsigned hb_limits_parse(const char *test, const hb_limits *limits, hb_parsed_limits *parsed,
                         hb_text *report);

struct hb_measurement;

/* What an ended scope measured, and the stack the test used
 * (`stack_bytes`), as a test's process sends it to the runner (measure.c). */
void hb_limits_measure(const hb_scope *scope, size_t stack_bytes,
                       struct hb_measurement *measurement);

/* Checks what a memory test's process measured (protocol.h) against the
 * limits.  Returns the hb_failure bits of every limit exceeded (0 if none)
 * and appends, for each, a report that starts "<test>: limited to ... but
 * ..." followed by the sites to blame. */
unsigned hb_limits_check(const char *test, const hb_parsed_limits *limits,
                         const struct hb_measurement *measurement, hb_text *report);

struct hb_result;

/* The figures of a memory test, each "of" its limit if it has one, and
 * the starter's where the exercise's .figures file states a different
 * one: "peak 0 B of 16 KiB (the starter: 512.0 KiB), leaks 0 B of 0 B,
 * allocations 0, stack 384 B".  Without `all`, only those with a limit or
 * the starter's.  `suite_file` is the test's source. */
void hb_limits_figures(const struct hb_result *result, const char *suite_file, bool all,
                       hb_text *text);

/* A memory test that passed: its figures, on its own line of CUnit's
 * output, before CUnit's "passed". */
void hb_limits_print_passed(const hb_test_def *def);

/* ======================================================================
 * Results (results.c): what each test measured and why it failed, kept for
 * the results files; fixed storage, since recording must not allocate. */

/* Which output the run prints: Google Test's once hb_gtest_option has
 * taken a flag (hb_gtest_request), else CUnit's.  Kept here, below every
 * module that writes on a test's line (a note there then ends its line),
 * which gtest.c, which shows the figures limits.c writes, is not. */
void hb_gtest_request(void);
bool hb_gtest_requested(void);

/* Why a test failed, beyond its assertions: bits; a test that fails only
 * on assertions has none. */
enum hb_failure {
    HB_FAILED_PEAK = 1 << 0,
    HB_FAILED_LEAKS = 1 << 1,
    HB_FAILED_ALLOCATIONS = 1 << 2,
    HB_FAILED_BAD_LIMIT = 1 << 3,      /* a limit string could not be parsed */
    HB_FAILED_CRASH = 1 << 4,          /* killed by a signal, or a bad free */
    HB_FAILED_TIMEOUT = 1 << 5,        /* ran past its time limit */
    HB_FAILED_EXIT = 1 << 6,           /* the code under test called exit() */
    HB_FAILED_INCREASE = 1 << 7,       /* uses more memory than its baseline */
    HB_FAILED_OVERFLOW = 1 << 8,       /* wrote past the end of a block */
    HB_FAILED_USE_AFTER_FREE = 1 << 9, /* wrote to a block after its free */
    HB_FAILED_HIDDEN_MEMORY = 1 << 10, /* took memory no scope can count (sbrk) */
    HB_FAILED_STACK = 1 << 11,         /* its calls went deeper than its limit */
};

enum { HB_FAILURE_NAMES = 128 };

/* "peak", "leaks", "allocations", "limit", "crash", "timeout", "exit",
 * "increase", "overflow", "use-after-free", "hidden-memory", "stack" joined by commas, for results
 * files; "" for 0. */
const char *hb_failure_names(unsigned failures, char text[HB_FAILURE_NAMES]);

typedef struct hb_result {
    const char *test;
    unsigned failures; /* hb_failure bits */
    unsigned reports;  /* CUnit failures the harness added for them */
    bool measured;     /* false: the test had no measured scope, or died */
    hb_usage usage;
    bool memory_test;        /* an HB_MEMORY_TEST: it has limits and a stack figure */
    size_t stack_bytes;      /* its deepest stack (measure.c) */
    hb_parsed_limits limits; /* of a memory test; none otherwise */
    /* What the whole test left allocated at its end, less what it kept
     * (hb_keep): its leak, whatever kind of test it is (measure.c). */
    size_t test_leaked_bytes;
    uint64_t test_leaked_blocks;
} hb_result;

/* A starter's figure ("peak", "leaks", "allocations", "stack") for `test`,
 * as the lesson states it: the exercise's tests/exercises/test_NN_*.figures
 * beside `suite_file`, read from the repository (the directory make runs
 * tests from).  False if it states none, or the file is not there. */
bool hb_starter_figure(const char *suite_file, const char *test, const char *figure, size_t *value);

/* Records a test's outcome, replacing any earlier one for the same test. */
void hb_results_record(const hb_result *result);

/* The last result recorded for `test`, or NULL if it has none. */
const hb_result *hb_results_find(const char *test);

/* Regression mode, like pytest-memray's --fail-on-increase.  A baseline
 * file records, for each test of the last run that passed, its peak, leaked
 * bytes and allocation count:
 *
 *     test <TAB> peak <TAB> leaked <TAB> allocations
 *
 * With --fail-on-increase a test that now uses more of any of them fails and
 * says by how much.  The file is rewritten after every run with the figures
 * of the tests that passed; entries of other tests are kept. */

/* Reads `path`; a missing file is an empty baseline.  False (with a message
 * on stderr) if it exists but cannot be read or parsed. */
bool hb_baseline_load(const char *path);

/* Appends a report and returns true if `result` uses more than its
 * baseline entry. */
bool hb_baseline_exceeded(const hb_result *result, hb_text *report);

/* Records `result` as the new baseline of its test. */
void hb_baseline_update(const hb_result *result);

bool hb_baseline_save(const char *path);

/* A finished run's results, for machines.  Call after CU_basic_run_tests(),
 * before the registry is cleaned up.
 *
 *   tab-separated (--results): one line per test, read by tests/check.sh:
 *       suite  test  passed|failed  reasons  peak  leaked  allocations  stack
 *     reasons are hb_failure names plus "assert" ("-" if none); figures are
 *     bytes and counts, "-" where the test measured nothing (stack: where
 *     it is not a memory test).
 *   JUnit XML (--junit): what CI systems read; a <testsuite> per CUnit
 *     suite, named as it is (an exercise's suite: "01-fibonacci").
 *   JSON (--json): Exercism's test-runner results, version 3:
 *       {"version": 3, "status": "pass"|"fail"|"error", "message": null,
 *        "tests": [{"name", "status": "pass"|"fail"|"error", "message",
 *                   "memory": {"peak_bytes", "peak_bytes_limit", ...}}]}
 *     a test's status is "error" when it could not finish (crash, timeout,
 *     exit()); "memory" is heapbook's: the figures and limits of the test. */
bool hb_export_tsv(const char *path);
bool hb_export_junit(const char *path);
bool hb_export_json(const char *path);

/* ======================================================================
 * Google Test's flags (gtest.c), for editors: C++ TestMate lists and runs
 * a binary's tests with them (docs/editor.md).  Any --gtest_ flag gives
 * Google Test's output instead of CUnit's; without one, nothing changes.
 * A test is Suite.test, the suite named after CUnit's as an identifier
 * ("01-fibonacci": ex01_fibonacci). */

/* One argument of the command line: 1 if it is a Google Test flag this
 * runner takes (now set), 0 if it is no Google Test flag, -1 if it is one
 * it does not take (said on stderr). */
int hb_gtest_option(const char *argument);

/* The flags, for --help: in the words TestMate looks for. */
void hb_gtest_help(FILE *out);

/* --gtest_list_tests was given (hb_gtest_requested: any flag was). */
bool hb_gtest_listing(void);

/* Whether reports are coloured, given whether stdout is a terminal that
 * takes colour (--gtest_color). */
bool hb_gtest_colour(bool terminal);

/* Whether --gtest_filter (if given) selects the test `test` of the CUnit
 * suite `suite`. */
bool hb_gtest_selects(const char *suite, const char *test);

/* With the registered tests, each CUnit test beside its definition:
 * hb_gtest_list prints the list (and writes --gtest_output's XML; false,
 * with a message, if it cannot); hb_gtest_run runs them with CUnit and
 * prints Google Test's lines. */
bool hb_gtest_list(const hb_test_def *const *definitions, const CU_pTest *tests, size_t count);
void hb_gtest_run(const hb_test_def *const *definitions, const CU_pTest *tests, size_t count);

/* ======================================================================
 * Memory-error tools (memcheck.c): the harness when another tool owns
 * malloc (docs/memcheck.md).
 *
 *   make memcheck   a build with -fsanitize=address,undefined that links
 *                   the harness without its entry points, so that
 *                   AddressSanitizer's malloc is the only one;
 *   make valgrind   the normal build run under valgrind, which redirects
 *                   every malloc it finds, the harness's included.
 *
 * Either way the counting layer sees nothing, so the harness steps aside:
 * memory tests still run their bodies (their assertions count) but say that
 * their limits were skipped, instead of passing on figures of zero.
 *
 * In an AddressSanitizer build (HB_SANITIZED) this module also makes a
 * sanitizer's finding fail the test it happened in:
 *
 *   - an error is reported by the sanitizer on stderr, then the test's
 *     process aborts; the sanitizer's one-line summary becomes a note on the
 *     crash that the harness reports (hb_memcheck_notes_to), so the CUnit failure
 *     says what was found and the full report stays on the terminal;
 *   - LeakSanitizer looks for leaks at process exit, but each test's process
 *     ends with _exit(), which skips that; so every test ends with a leak
 *     check (hb_memcheck_run) and a leak fails that test.
 *
 * The sanitizers' default options (abort_on_error, halt_on_error, ...) are
 * compiled in, so the test binary behaves the same when run by hand;
 * ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS still override them. */

/* Runs `body`, a test's body.  In an AddressSanitizer build it then asks
 * LeakSanitizer for every block that nothing points to any more, and fails
 * the current CUnit test (at file:line) if there is one; the report, with
 * where each block was allocated, goes to stderr.  Returns HB_FAILED_LEAKS
 * or 0.
 *
 * Only runs `body` in other builds, and when tests are not isolated
 * (HEAPBOOK_FORK=0): the process then lives on, so LeakSanitizer's own
 * check at exit sees every leak, once. */
unsigned hb_memcheck_run(void (*body)(void), const char *test, const char *file, unsigned line);

/* How many of the innermost `frames` of a test stopped by a sanitizer are
 * the sanitizer's own, with the abort() that ends its report: the stack of
 * the failure then starts at the line that made the error.  0 in other
 * builds, and when no frame is the sanitizer's. */
size_t hb_memcheck_runtime_frames(const uintptr_t *frames, size_t depth);

/* Where a sanitizer's one-line summary of an error goes: `note`, the test's
 * process's report channel (child.c, which gives it as that process
 * starts), adds it to the report if the test dies from there on.  No
 * note until then, nor in other builds. */
void hb_memcheck_notes_to(void (*note)(const char *text));

/* Before the program's constructors, counts what they allocate, until
 * main() ends the count before the tests: every memory test fails while
 * what they kept (the suite's constructors, which may call exercise code)
 * is over its limit (limits.c). */
void hb_startup_memory_count(void);
void hb_startup_memory_end(void);

#endif
