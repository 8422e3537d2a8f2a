/* hb_blocks: what the harness knows about each live heap block.
 *
 * The allocator is asked only for memory; what the student *requested* is
 * kept in a header in front of the block the student gets: its size, the
 * call stack that made it, the innermost measured scope that counted it, and
 * a seal that says the header is one the harness wrote for a block still
 * live.  Every block the process allocates has one, inside a scope or not,
 * so a free can always be matched to its allocation.
 *
 *   mimalloc's block: [ header, HB_BLOCK_HEADER bytes | the student's bytes ]
 *                     ^ hb_blocks_allocation()         ^ ptr, what malloc returns
 *
 * A header, not a table keyed by address: recording a block writes the
 * cache line the allocator has just handed out, where a table took a lock
 * and a cache miss of its own per malloc and per free (docs/performance.md).
 * Only the thread that owns a block touches its header, so nothing here
 * takes a lock. */
#ifndef HB_BLOCKS_H
#define HB_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A multiple of 16, so the student's pointer keeps the alignment of the
 * block mimalloc returned. */
enum { HB_BLOCK_HEADER = 32 };

typedef struct hb_block {
    uintptr_t address; /* what the student got: the header lies just before */
    size_t size;       /* bytes requested, not bytes the allocator gave */
    uint64_t scope_id; /* innermost scope that counted it, 0 if none */
    uint32_t stack_id; /* hb_stacks id of the allocating stack, 0 if none */
    /* 0: mimalloc's block starts with the header.  Otherwise it starts
     * 2^gap_shift bytes before `address`: an alignment too large for
     * mimalloc to leave room for the header before (hb_override.c). */
    uint32_t gap_shift;
} hb_block;

/* The bytes to ask the allocator for a request of `size`.  Returns false
 * if no block that big can exist (C caps object sizes at PTRDIFF_MAX, and
 * mimalloc answers EOVERFLOW beyond it where malloc must say ENOMEM). */
static inline bool hb_blocks_gross_size(size_t size, size_t *gross) {
    if (size > PTRDIFF_MAX - HB_BLOCK_HEADER)
        return false;
    *gross = size + HB_BLOCK_HEADER;
    return true;
}

/* The student's pointer in mimalloc's block `start`, when the block starts
 * with its header (gap_shift 0).  The header itself is always the
 * HB_BLOCK_HEADER bytes before the student's pointer. */
static inline void *hb_blocks_payload(void *start) { return (char *)start + HB_BLOCK_HEADER; }

/* How far before the student's pointer mimalloc's block starts. */
static inline uintptr_t hb_blocks_gap(uint32_t gap_shift) {
    return gap_shift ? (uintptr_t)1 << gap_shift : HB_BLOCK_HEADER;
}

/* Where mimalloc's block of `block` starts: what mi_free() takes. */
static inline void *hb_blocks_allocation(const hb_block *block) {
    return (void *)(block->address - hb_blocks_gap(block->gap_shift));
}

/* Writes the header of a block just allocated, sealing it live: the
 * fields of an hb_block whose payload is at `address`.  (Not the struct
 * itself: its fields have just been stored one by one, and the compiler
 * would copy them two at a time, each copy waiting for both stores.) */
void hb_blocks_insert(uintptr_t address, size_t size, uint64_t scope_id, uint32_t stack_id,
                      uint32_t gap_shift);

/* If a live block starts at `address`, copies its record into *found and
 * returns true.  Any other pointer returns false without touching memory
 * the process cannot read. */
bool hb_blocks_find(uintptr_t address, hb_block *found);

/* hb_blocks_find(), then seals the header freed: the same pointer is no
 * longer a live block.  Returns hb_blocks_allocation() of the block (what
 * mi_free() takes), or NULL if no live block starts at `address`. */
void *hb_blocks_remove(uintptr_t address, hb_block *removed);

/* True if a block that started at `address` has been freed and its memory
 * not handed out again: a second free of it is a double free, however long
 * ago the first was. */
bool hb_blocks_was_freed(uintptr_t address);

#endif
