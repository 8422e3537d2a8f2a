/* hb_blocks: the table of every live heap block.
 *
 * The allocator is asked only for memory; what the student *requested* lives
 * here, keyed by the block's address: its size, the call stack that made it,
 * and the innermost measured scope that counted it.  Every block the process
 * allocates is recorded, inside a scope or not, so a free can always be
 * matched to its allocation.
 *
 * Thread-safe: the table is split into shards, each with its own lock. */
#ifndef HB_BLOCKS_H
#define HB_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hb_block {
    uintptr_t address; /* 0 marks an empty slot; never a live block */
    size_t size;       /* bytes requested, not bytes the allocator gave */
    uint64_t scope_id; /* innermost scope that counted it, 0 if none */
    uint32_t stack_id; /* hb_stacks id of the allocating stack, 0 if none */
} hb_block;

/* Records a new block.  Returns false only if the table cannot grow (the
 * kernel refused memory); the block is then untracked. */
bool hb_blocks_insert(const hb_block *block);

/* Starts loading the table's line where `address` would be recorded, so
 * that work done meanwhile (capturing a stack) hides the cache miss of the
 * hb_blocks_insert() that follows; a large table misses the cache at
 * nearly every call.  Only a hint: it changes nothing. */
void hb_blocks_prefetch(uintptr_t address);

/* Removes the record of `address`, copying it into *removed.  Returns false
 * if no live block starts at that address. */
bool hb_blocks_remove(uintptr_t address, hb_block *removed);

/* fork(): hold every shard lock across the fork so the child never inherits
 * a lock taken by a thread that does not exist there. */
void hb_blocks_lock_all(void);
void hb_blocks_unlock_all(void);

#endif
