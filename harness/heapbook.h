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
 * exceeds `limits`.  Used by HB_MEMORY_TEST. */
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

/* The suites' tear-down: closes the scope of a memory test that a fatal
 * assertion cut short, and says its limits were not checked. */
void hb_test_tear_down(void);

#define HB_REGISTER_(name, runner)                                                                 \
    static hb_test_def hb_def_##name = {#name, __FILE__, __LINE__, runner, HB_SUITE_NAME, NULL};   \
    __attribute__((constructor)) static void hb_register_##name(void) {                            \
        hb_register_test(&hb_def_##name);                                                          \
    }

#define HB_TEST(name)                                                                              \
    static void name(void);                                                                        \
    HB_REGISTER_(name, name)                                                                       \
    static void name(void)

#define HB_MEMORY_TEST(name, ...)                                                                  \
    static void name(void);                                                                        \
    static void hb_limited_##name(void) {                                                          \
        static const hb_limits limits = {__VA_ARGS__};                                             \
        hb_run_measured(#name, &limits, name, __FILE__, __LINE__);                                 \
    }                                                                                              \
    HB_REGISTER_(name, hb_limited_##name)                                                          \
    static void name(void)

#endif
