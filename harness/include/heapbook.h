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
 * The body of an HB_MEMORY_TEST is the measured scope (heapbook/counting.h):
 * every allocation it makes, in any thread, counts against the limits below.
 * Nothing else does: not CUnit, not stdio's buffers, not the harness.  A
 * test over a limit fails with a report naming the allocation sites, each
 * with its call stack.
 *
 * This is the only header a test includes; the harness's internals are not
 * visible to the code under test (docs/harness.md).
 *
 * Tests of a file form one CUnit suite, named after the file unless the file
 * defines HB_SUITE_NAME before including this header; they run in the order
 * they are written.  A test binary exits non-zero if any test failed. */
#ifndef HEAPBOOK_H
#define HEAPBOOK_H

#include "heapbook/counting.h"

#include <CUnit/CUnit.h>

/* A test's memory limits.  Each is a string, written as in the test; NULL
 * (left out) means no limit:
 *   .peak        most bytes live at once          ("100 KiB")
 *   .leaks       bytes still live when it ends    ("0 B")
 *   .allocations number of allocations            ("1000")
 *   .stack       the deepest the test's calls go  ("64 KiB"): data held in
 *                frames (deep recursion, local arrays) is memory too
 * The same limits as pytest-memray's limit_memory and limit_leaks markers,
 * plus a count, since in C the number of malloc calls is a cost of its own.
 *
 * Units follow the standards, so "KB" and "KiB" never mean the same thing:
 * B; kB, KB, MB, GB = 1000, 1000^2, 1000^3 bytes (SI); KiB, MiB, GiB = 1024,
 * 1024^2, 1024^3 bytes (IEC).  Units are case-insensitive, the space before
 * them is optional, a number without a unit is bytes, and a fraction is
 * allowed ("1.5 MiB"); the result is rounded down to a whole byte. */
typedef struct hb_limits {
    const char *peak;
    const char *leaks;
    const char *allocations;
    const char *stack;
} hb_limits;

#ifndef HB_SUITE_NAME
#define HB_SUITE_NAME NULL
#endif

#pragma GCC visibility push(default) /* the sealed harness's API: counting.h */

typedef struct hb_test_def {
    const char *name;
    const char *file;
    unsigned line;
    void (*run)(void);
    const char *suite; /* NULL: named after `file` */
    /* An HB_MEMORY_TEST's limits, read by the runner's own process to judge
     * it (NULL: an HB_TEST). */
    const struct hb_limits *limits;
    struct hb_test_def *next;
    /* What runs instead of `run` where AddressSanitizer owns malloc: `run`
     * followed by LeakSanitizer's check (hb_run_checked); NULL for a memory
     * test, whose runner checks itself.  Chosen by the harness when it
     * registers the test, not by the preprocessor: a suite preprocesses the
     * same in both builds, so the memcheck build compiles the very source
     * the normal one did (docs/memcheck.md, "The same code"). */
    void (*checked)(void);
} hb_test_def;

/* Called before main() by the HB_TEST macros. */
void hb_register_test(hb_test_def *test);

/* Runs `body` in a measured scope and fails the current CUnit test if it
 * exceeds `limits`.  Used by HB_MEMORY_TEST.  Where another tool owns malloc
 * (make memcheck, make valgrind: docs/memcheck.md) nothing can be measured:
 * `body` still runs, and the test's line says its limits were skipped. */
void hb_run_measured(const char *test, const hb_limits *limits, void (*body)(void),
                     const char *file, unsigned line);

/* Runs `code` once to count its allocations, then once more for each of
 * them, making that one fail (heapbook/counting.h), as SQLite's out-of-memory tests
 * do.  The code must cope: a leak after any failure fails the test, with the
 * allocation made to fail and the leaked sites; a crash is reported with
 * which allocation was failing. */
#define hb_fail_each_allocation(code) hb_fail_each_allocation_at(#code, code, __FILE__, __LINE__)
void hb_fail_each_allocation_at(const char *name, void (*code)(void), const char *file,
                                unsigned line);

/* NULL when the harness's counting allocator serves malloc in this process;
 * otherwise why not, in a few words ("AddressSanitizer replaces malloc in
 * this build": make memcheck, make valgrind). */
const char *hb_memcheck_not_counting(void);

/* Says on the test's own line of CUnit's verbose output that `what`
 * ("memory limits") was skipped and why. */
void hb_memcheck_skipped(const char *what, const char *why);

/* First in the body of a test that reads the harness's own counters
 * (hb_scope_usage(), hb_fault_*()): where another tool owns malloc (make
 * memcheck, make valgrind: docs/memcheck.md) nothing is counted, so the rest of
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

/* ---- leaks
 *
 * Every test fails when blocks allocated during it are still live at its
 * end, reachable or not: a block parked on a global list is leaked all
 * the same (a memory test with a .leaks limit is judged by its limit).
 * A test that keeps a block on purpose, past its end, says so:
 *
 *     cache = make_cache();
 *     hb_keep(cache);
 *
 * `block` must be a block malloc & co. returned, still live; each block
 * kept is named on its own.  Only tests may call it (exercise code cannot
 * name the harness's functions: docs/harness.md, What is rejected). */
#define hb_keep(block) hb_keep_at((block), __FILE__, __LINE__)
void hb_keep_at(const void *block, const char *file, unsigned line);

/* ---- assertions that say what came back
 *
 *     HB_ASSERT_EQ(fibonacci_hash(0, 0, 6), 20);
 *       fails with: fibonacci_hash(0, 0, 6) is 21, expected 20
 *
 * HB_ASSERT_EQ compares integers of any type (signed or unsigned, by the
 * type of the first); HB_ASSERT_STR_EQ strings (NULL allowed, shown
 * quoted and escaped); HB_ASSERT_PTR_EQ, HB_ASSERT_NULL and
 * HB_ASSERT_NOT_NULL pointers; HB_ASSERT(condition) anything else.  A
 * failure made while an allocation is being made to fail, or with inputs
 * drawn by hb_random(), says so.  The _FATAL forms end the test. */

#define HB_ASSERT_EQ(actual, expected) HB_ASSERT_EQ_(actual, expected, CU_FALSE)
#define HB_ASSERT_EQ_FATAL(actual, expected) HB_ASSERT_EQ_(actual, expected, CU_TRUE)
#define HB_ASSERT_STR_EQ(actual, expected)                                                         \
    hb_assert_str((actual), (expected), #actual, __FILE__, __LINE__, CU_FALSE)
#define HB_ASSERT_PTR_EQ(actual, expected)                                                         \
    hb_assert_ptr((const void *)(actual), (const void *)(expected), #actual, #expected, __FILE__,  \
                  __LINE__, CU_FALSE)
#define HB_ASSERT_NULL(actual)                                                                     \
    hb_assert_ptr((const void *)(actual), NULL, #actual, "NULL", __FILE__, __LINE__, CU_FALSE)
#define HB_ASSERT_NOT_NULL(actual) HB_ASSERT_NOT_NULL_(actual, CU_FALSE)
#define HB_ASSERT_NOT_NULL_FATAL(actual) HB_ASSERT_NOT_NULL_(actual, CU_TRUE)
#define HB_ASSERT(condition) hb_assert_true(!!(condition), #condition, __FILE__, __LINE__, CU_FALSE)

#define HB_ASSERT_EQ_(actual, expected, fatal)                                                     \
    _Generic((actual), unsigned char                                                               \
             : hb_assert_unsigned, unsigned short                                                  \
             : hb_assert_unsigned, unsigned int                                                    \
             : hb_assert_unsigned, unsigned long                                                   \
             : hb_assert_unsigned, unsigned long long                                              \
             : hb_assert_unsigned, _Bool                                                           \
             : hb_assert_unsigned, default                                                         \
             : hb_assert_signed)((actual), (expected), #actual, __FILE__, __LINE__, fatal)
#define HB_ASSERT_NOT_NULL_(actual, fatal)                                                         \
    hb_assert_true((actual) != NULL, #actual " is NULL, expected a pointer", __FILE__, __LINE__,   \
                   fatal)

void hb_assert_signed(long long actual, long long expected, const char *text, const char *file,
                      unsigned line, CU_BOOL fatal);
void hb_assert_unsigned(unsigned long long actual, unsigned long long expected, const char *text,
                        const char *file, unsigned line, CU_BOOL fatal);
void hb_assert_str(const char *actual, const char *expected, const char *text, const char *file,
                   unsigned line, CU_BOOL fatal);
void hb_assert_ptr(const void *actual, const void *expected, const char *text,
                   const char *expected_text, const char *file, unsigned line, CU_BOOL fatal);
void hb_assert_true(bool condition, const char *text, const char *file, unsigned line,
                    CU_BOOL fatal);

/* ---- random inputs
 *
 * A number in [low, high], drawn for this run: every run of a test binary
 * draws new ones (from HEAPBOOK_SEED if it is set, else from the clock).
 * Each test draws its own sequence from the run's seed and its name, so a
 * test's inputs do not depend on which tests ran before it.  A memory test
 * that checks a random input besides the lesson's fixed one makes an
 * answer hard-coded for the fixed one fail; its failures name the seed, so
 * `HEAPBOOK_SEED=N make test EX=NN` repeats the run exactly.
 * hb_random_named() is the same draw with what it stands for, a string
 * that lives as long as the test ("orders"): a failure then lists
 * "orders = 1873" instead of a bare number. */
unsigned long long hb_random(unsigned long long low, unsigned long long high);
unsigned long long hb_random_named(const char *what, unsigned long long low,
                                   unsigned long long high);

#pragma GCC visibility pop

#define HB_REGISTER_(test, runner, limits_, checked_runner)                                        \
    static hb_test_def hb_def_##test = {.name = #test,                                             \
                                        .file = __FILE__,                                          \
                                        .line = __LINE__,                                          \
                                        .run = runner,                                             \
                                        .suite = HB_SUITE_NAME,                                    \
                                        .limits = (limits_),                                       \
                                        .checked = checked_runner};                                \
    __attribute__((constructor)) static void hb_register_##test(void) {                            \
        hb_register_test(&hb_def_##test);                                                          \
    }

/* make memcheck (runner/memcheck.c): every test ends with LeakSanitizer's
 * check, since the test's process ends with _exit(), which skips
 * LeakSanitizer's own.  Runs `body`, then fails the test if it left a block
 * unreachable; elsewhere it only runs `body`. */
__attribute__((visibility("default"))) void hb_run_checked(const char *test, void (*body)(void),
                                                           const char *file, unsigned line);

#define HB_TEST(name)                                                                              \
    static void name(void);                                                                        \
    static void hb_checked_##name(void) { hb_run_checked(#name, name, __FILE__, __LINE__); }       \
    HB_REGISTER_(name, name, NULL, hb_checked_##name)                                              \
    static void name(void)

#define HB_MEMORY_TEST(name, ...)                                                                  \
    static void name(void);                                                                        \
    static const hb_limits hb_limits_##name = {__VA_ARGS__};                                       \
    static void hb_limited_##name(void) {                                                          \
        hb_run_measured(#name, &hb_limits_##name, name, __FILE__, __LINE__);                       \
    }                                                                                              \
    HB_REGISTER_(name, hb_limited_##name, &hb_limits_##name, NULL)                                 \
    static void name(void)

#endif
