/* hb_scope: measured scopes, the heart of the harness's accounting.
 *
 * A scope counts the heap use of the code that runs between hb_scope_begin()
 * and hb_scope_end(), in requested bytes, as memray does:
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
 * size, so the peak never includes both.
 *
 * With HB_SCOPE_STACKS the scope also keeps per-call-stack figures: bytes live
 * at the moment of the peak, bytes live now, and allocations made, so a report
 * can name the sites responsible. */
#ifndef HB_SCOPE_H
#define HB_SCOPE_H

#include "hb_blocks.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

enum hb_site_view {
    HB_SITES_AT_PEAK,   /* bytes each stack had live at the moment of the peak */
    HB_SITES_LIVE,      /* bytes still live (after the end: leaked) */
    HB_SITES_ALLOCATED, /* every allocation made, ranked by count */
};

typedef struct hb_site {
    uint32_t stack_id; /* see hb_stacks_frames() */
    size_t bytes;
    uint64_t blocks;
} hb_site;

/* Writes the biggest `max` sites of `view` into `sites`, largest first (by
 * bytes, or by blocks for HB_SITES_ALLOCATED; ties by stack id), and returns
 * how many sites have a non-zero figure in all.  A scope without
 * HB_SCOPE_STACKS has no sites. */
size_t hb_scope_sites(const hb_scope *scope, enum hb_site_view view, hb_site *sites, size_t max);

/* Returns an ended scope's memory to the harness. */
void hb_scope_release(hb_scope *scope);

/* For the tracker (hb_track.c), not for tests: */

/* How many scopes are open; written by hb_scope_begin() and _end() only. */
extern _Atomic unsigned hb_scopes_open_depth;

/* Is anything measured?  Inline: the tracker asks at every allocation, and
 * skips the rest of its work when nothing is.  (Acquire: what a scope
 * sets up before it is published is visible once it is seen open.) */
static inline bool hb_scopes_any_open(void) {
    return atomic_load_explicit(&hb_scopes_open_depth, memory_order_acquire) != 0;
}

/* Counts a new block in every open scope, and fills block->scope_id and
 * block->stack_id.  `caller` is the entry point's return address. */
void hb_scopes_count_alloc(hb_block *block, uintptr_t caller);

/* Counts the free of `block` in the open scopes that counted its allocation. */
void hb_scopes_count_free(const hb_block *block);

void hb_scopes_lock_all(void);
void hb_scopes_unlock_all(void);

/* In a forked child, after hb_scopes_unlock_all(): the threads that did not
 * come along stop being waited for. */
void hb_scopes_forked_child(void);

#endif
