/* config.h: the harness's tunable sizes and its few compiler-specific
 * spellings, in one place.  Every harness source includes it first. */
#ifndef HB_CONFIG_H
#define HB_CONFIG_H

#include "heapbook/counting.h" /* HB_SANITIZED, HB_SCOPE_MAX_DEPTH */

/* ---- sizes; each is a fixed table, since the harness never uses the heap
 * it measures for its own bookkeeping */

enum {
    /* Frames kept per call stack: far deeper than any report shows. */
    HB_STACK_MAX_FRAMES = 48,
    /* Threads counted at once with slots of their own; more share one. */
    HB_THREAD_SLOTS = 256,
    /* Scopes that may exist at once (open, or ended and not released). */
    HB_SCOPE_POOL = 64,
    /* Libraries whose own allocations are not counted (CUnit, ...). */
    HB_MAX_EXCLUDED = 16,
};

/* ---- compiler spellings (GCC and Clang) */

/* Thread-local state of the allocation path.  In a shared object (the
 * profiler's preload) initial-exec: the general-dynamic model may call
 * malloc on first access (through __tls_get_addr), which would recurse.
 * In an executable local-exec: one instruction per access instead of two. */
#if defined(__PIC__) && !defined(__PIE__)
#define HB_THREAD_LOCAL __thread __attribute__((tls_model("initial-exec")))
#else
#define HB_THREAD_LOCAL __thread __attribute__((tls_model("local-exec")))
#endif

/* Rare paths, kept out of line so the hot one stays small. */
#define HB_COLD __attribute__((noinline, cold))

/* `name` is another name for `target` (a function defined in the same
 * file).  GCC's copy() gives the alias the attributes glibc declares on
 * the target, which GCC otherwise warns are missing; Clang has no copy()
 * and does not warn. */
#if defined(__clang__)
#define HB_ALIAS(target) __attribute__((alias(#target)))
#else
#define HB_ALIAS(target) __attribute__((alias(#target), copy(target)))
#endif

/* What the sealed harness object keeps visible to the code it tests (the
 * API of heapbook.h, and malloc & co.): the harness is compiled with
 * -fvisibility=hidden, and everything not marked so is made local to it
 * (mk/harness.mk). */
#define HB_API __attribute__((visibility("default")))

#endif
