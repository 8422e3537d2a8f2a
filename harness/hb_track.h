/* hb_track: what happens to each allocation, between the allocator entry
 * points (hb_override.c) and the accounting (hb_blocks, hb_scope).
 *
 * Allocations made while the harness itself is at work (hb_guard), or made
 * directly by an excluded library such as CUnit, are recorded as blocks but
 * counted in no scope. */
#ifndef HB_TRACK_H
#define HB_TRACK_H

#include "hb_blocks.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Records a new block of `size` requested bytes at `ptr` (non-NULL, a
 * payload with room for its header before it; `gap_shift` as in hb_block),
 * made by code whose return address is `caller`. */
void hb_track_alloc(void *ptr, size_t size, uint32_t gap_shift, uintptr_t caller);

/* Forgets `ptr` and uncounts it; `caller` is the free's return address.
 * Returns where mimalloc's block starts (what mi_free() takes), or NULL if
 * `ptr` is not a live block (a double free or a pointer the allocator
 * never gave out: see hb_misuse.h). */
void *hb_track_free(void *ptr, uintptr_t caller);

/* realloc in three steps, so that no other thread can be handed the old
 * address while its record still exists: take the record out (NULL if
 * `ptr` is not a live block; else where mimalloc's block starts), then
 * either put it back unchanged (the realloc failed) or count it freed. */
void *hb_track_take(void *ptr, hb_block *taken);
void hb_track_restore(const hb_block *taken);
void hb_track_count_free(const hb_block *taken, uintptr_t caller);

/* Stops counting allocations whose immediate caller lies in the loaded
 * library whose file name contains `name` (e.g. "libcunit.so").  Returns
 * false if no such library is loaded. */
bool hb_track_exclude_library(const char *name);

/* Told of every counted allocation and free (those inside a scope), after
 * the scopes have counted it: the profiler's recorder. */
typedef struct hb_track_observer {
    void (*allocated)(const hb_block *block);
    void (*freed)(const hb_block *block);
} hb_track_observer;

/* Sets the observer (NULL: none).  Not thread-safe: set it before threads. */
void hb_track_observe(const hb_track_observer *observer);

/* True if `address` lies in the code of an excluded library. */
bool hb_track_in_excluded_library(uintptr_t address);

#endif
