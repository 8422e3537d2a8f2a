/* heapbook/counting.h: the counting API, without CUnit.
 *
 * A measured scope counts the heap use of the code that runs between
 * hb_scope_begin() and hb_scope_end(), in requested bytes, as memray does:
 *
 *   peak   the highest number of bytes live at once, counting only blocks
 *          allocated inside the scope, so it is relative to what was live
 *          when the scope began;
 *   live   bytes allocated inside the scope and not yet freed (after the
 *          scope ends: the leak);
 *   total  bytes of all allocations, and the number of allocations and frees.
 *
 * Every thread's allocations count while a scope is open.  Scopes nest (an
 * inner block counts in every enclosing scope) and must end innermost first.
 * A realloc counts as the free of the old block and one allocation of the new
 * size, so the peak never includes both.  A test's HB_MEMORY_TEST body is
 * such a scope (heapbook.h); bench/ and the harness's own tests open their
 * own.
 *
 * Fault injection makes chosen allocations fail as if memory were exhausted:
 * malloc, calloc, realloc and the aligned allocators return NULL with errno
 * ENOMEM (posix_memalign returns ENOMEM).  Counting starts when it is armed;
 * the harness's own allocations and CUnit's never fail.  C++'s operator new
 * is not failed: in C there is no exception to throw. */
#ifndef HEAPBOOK_COUNTING_H
#define HEAPBOOK_COUNTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1 in a build compiled with AddressSanitizer (make memcheck), where the
 * sanitizer owns malloc and nothing is counted; else 0.  GCC and Clang spell
 * it differently. */
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

/* The harness is compiled with hidden visibility and sealed: what this
 * header declares is what it shows the code it tests. */
#pragma GCC visibility push(default)

/* ---- measured scopes */

enum { HB_SCOPE_MAX_DEPTH = 8 };

enum hb_scope_options {
    HB_SCOPE_COUNTS_ONLY = 0,
    HB_SCOPE_STACKS = 1, /* record the call stack of every allocation */
    /* With HB_SCOPE_STACKS: stacks only, no per-site figures (the profiler
     * writes every event out and aggregates later). */
    HB_SCOPE_NO_SITES = 2,
};

typedef struct hb_usage {
    size_t peak_bytes;
    size_t live_bytes;
    size_t total_bytes;
    uint64_t allocations;
    uint64_t frees;
    uint64_t live_blocks;
    /* Of the figures above, files mapped with mmap() by the measured code,
     * at most at once: every mapping counts as a block (docs/harness.md),
     * and a file's is also shown on its own. */
    size_t mapped_peak_bytes;
} hb_usage;

typedef struct hb_scope hb_scope;

/* Opens a scope; returns NULL if HB_SCOPE_MAX_DEPTH scopes are already open
 * or too many ended scopes have not been released. */
hb_scope *hb_scope_begin(unsigned options);

/* Stops counting.  The figures stay readable until hb_scope_release().
 * Returns false (and changes nothing) if `scope` is not the innermost open
 * scope. */
bool hb_scope_end(hb_scope *scope);

/* The figures so far; exact once the scope has ended. */
hb_usage hb_scope_usage(const hb_scope *scope);

/* Returns an ended scope's memory to the harness. */
void hb_scope_release(hb_scope *scope);

/* Ends `scope`, releases it and returns its figures: for the scope whose
 * sites nobody reads. */
hb_usage hb_scope_finish(hb_scope *scope);

/* ---- fault injection
 *
 *     hb_fault_fail_nth(3);       the 3rd allocation from now fails, only it
 *     hb_fault_fail_from(3);      the 3rd and every later one fail
 *     hb_fault_fail_in("parse");  allocations made directly by parse() fail
 *     hb_fault_off();
 *
 * hb_fail_each_allocation() in heapbook.h fails every allocation point of a
 * piece of code in turn, as SQLite's out-of-memory tests do. */

void hb_fault_fail_nth(unsigned long n);
void hb_fault_fail_from(unsigned long n);
/* Every function of that name (a static one in each file that has one);
 * false if no function has it. */
bool hb_fault_fail_in(const char *function);
void hb_fault_off(void);

/* Allocations seen, and made to fail, since the last arming. */
unsigned long hb_fault_allocations(void);
unsigned long hb_fault_failures(void);

#pragma GCC visibility pop

#endif
