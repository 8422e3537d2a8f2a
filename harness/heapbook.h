/* heapbook.h: memory limits for CUnit tests.
 *
 * A test file includes this header and declares its tests; they register
 * themselves, and the harness's main() runs them with CUnit:
 *
 *     #include "heapbook.h"
 *
 *     HB_TEST(test_small_input) {
 *         CU_ASSERT_EQUAL(fibonacci_hash(0, 0, 6), 20);
 *     }
 *
 *     HB_MEMORY_TEST(test_fibonacci_memory, .peak = "100 KiB", .leaks = "0 B") {
 *         CU_ASSERT_EQUAL(fibonacci_hash(33333, 30000, 34567), 1234);
 *     }
 *
 * The body of an HB_MEMORY_TEST is the measured scope: every allocation it
 * makes, in any thread, counts against the limits (hb_limits.h; units in
 * hb_size.h).  Nothing else does: not CUnit, not stdio's buffers, not the
 * harness.  A test over a limit fails with a report naming the allocation
 * sites, each with its call stack.
 *
 * Tests of a file form one CUnit suite, named after the file unless the file
 * defines HB_SUITE_NAME before including this header; they run in the order
 * they are written.  A test binary exits non-zero if any test failed. */
#ifndef HEAPBOOK_H
#define HEAPBOOK_H

#include "hb_limits.h"
#include "hb_memcheck.h"
#include "hb_scope.h"

#include <CUnit/CUnit.h>

#ifndef HB_SUITE_NAME
#define HB_SUITE_NAME NULL
#endif

typedef struct hb_test_def {
    const char *name;
    const char *file;
    unsigned line;
    void (*run)(void);
    const char *suite; /* NULL: named after `file` */
    struct hb_test_def *next;
} hb_test_def;

/* Called before main() by the HB_TEST macros. */
void hb_register_test(hb_test_def *test);

/* Runs `body` in a measured scope and fails the current CUnit test if it
 * exceeds `limits`.  Used by HB_MEMORY_TEST.  Where another tool owns malloc
 * (make memcheck, make valgrind: hb_memcheck.h) nothing can be measured:
 * `body` still runs, and the test's line says its limits were skipped. */
void hb_run_measured(const char *test, const hb_limits *limits, void (*body)(void),
                     const char *file, unsigned line);

/* Runs `code` once to count its allocations, then once more for each of
 * them, making that one fail (hb_fault.h), as SQLite's out-of-memory tests
 * do.  The code must cope: a leak after any failure fails the test, with the
 * allocation made to fail and the leaked sites; a crash is reported with
 * which allocation was failing. */
#define hb_fail_each_allocation(code) hb_fail_each_allocation_at(#code, code, __FILE__, __LINE__)
void hb_fail_each_allocation_at(const char *name, void (*code)(void), const char *file,
                                unsigned line);

/* First in the body of a test that reads the harness's own counters
 * (hb_scope_usage(), hb_fault_*()): where another tool owns malloc (make
 * memcheck, make valgrind: hb_memcheck.h) nothing is counted, so the rest of
 * the test is skipped, and its line in CUnit's output says so. */
#define HB_REQUIRE_COUNTING()                                                                      \
    do {                                                                                           \
        const char *hb_not_counting_ = hb_memcheck_not_counting();                                 \
        if (hb_not_counting_ != NULL) {                                                            \
            hb_memcheck_skipped("this test, which reads the harness's counters",                   \
                                hb_not_counting_);                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* The suites' tear-down: closes the scope of a memory test that a fatal
 * assertion cut short, and says its limits were not checked. */
void hb_test_tear_down(void);

#define HB_REGISTER_(name, runner)                                                                 \
    static hb_test_def hb_def_##name = {#name, __FILE__, __LINE__, runner, HB_SUITE_NAME, NULL};   \
    __attribute__((constructor)) static void hb_register_##name(void) {                            \
        hb_register_test(&hb_def_##name);                                                          \
    }

#if HB_SANITIZED
/* make memcheck (hb_memcheck.h): every test ends with LeakSanitizer's check,
 * since the test's process ends with _exit(), which skips LeakSanitizer's
 * own.  Runs `body`, then fails the test if it left a block unreachable. */
void hb_run_checked(const char *test, void (*body)(void), const char *file, unsigned line);

#define HB_TEST(name)                                                                              \
    static void name(void);                                                                        \
    static void hb_checked_##name(void) { hb_run_checked(#name, name, __FILE__, __LINE__); }       \
    HB_REGISTER_(name, hb_checked_##name)                                                          \
    static void name(void)
#else
#define HB_TEST(name)                                                                              \
    static void name(void);                                                                        \
    HB_REGISTER_(name, name)                                                                       \
    static void name(void)
#endif

#define HB_MEMORY_TEST(name, ...)                                                                  \
    static void name(void);                                                                        \
    static void hb_limited_##name(void) {                                                          \
        static const hb_limits limits = {__VA_ARGS__};                                             \
        hb_run_measured(#name, &limits, name, __FILE__, __LINE__);                                 \
    }                                                                                              \
    HB_REGISTER_(name, hb_limited_##name)                                                          \
    static void name(void)

#endif
