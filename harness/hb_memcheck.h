/* hb_memcheck: the harness when another tool owns malloc.
 *
 * Memory *errors* (use after free, overflows, leaks, undefined behaviour) are
 * found by tools that replace malloc themselves (docs/memcheck.md):
 *
 *   make memcheck   a build with -fsanitize=address,undefined that links
 *                   every harness object except hb_override.o, so that
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
 *     crash that the harness reports (hb_isolate_note), so the CUnit failure
 *     says what was found and the full report stays on the terminal;
 *   - LeakSanitizer looks for leaks at process exit, but each test's process
 *     ends with _exit(), which skips that; so every test ends with a leak
 *     check (hb_memcheck_run) and a leak fails that test.
 *
 * The sanitizers' default options (abort_on_error, halt_on_error, ...) are
 * compiled in, so the test binary behaves the same when run by hand;
 * ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS still override them. */
#ifndef HB_MEMCHECK_H
#define HB_MEMCHECK_H

/* 1 in a build compiled with AddressSanitizer (GCC and Clang spell it
 * differently), else 0. */
#if defined(__SANITIZE_ADDRESS__)
#define HB_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HB_SANITIZED 1
#endif
#endif
#ifndef HB_SANITIZED
#define HB_SANITIZED 0
#endif

/* NULL when the harness's counting allocator serves malloc in this process;
 * otherwise why not, in a few words ("AddressSanitizer replaces malloc in
 * this build").  Allocates one uncounted byte to find out: it counts in no
 * scope. */
const char *hb_memcheck_not_counting(void);

/* Says on stdout, on the test's own line of CUnit's verbose output, that
 * `what` ("memory limits") was skipped and why:
 *
 *     Test: test_fibonacci_memory ...[skipped memory limits: AddressSanitizer
 *     replaces malloc in this build] passed                     (one line) */
void hb_memcheck_skipped(const char *what, const char *why);

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

#endif
