/* addrmap: the live blocks of a recorded process, by address: what lets
 * heapbook run match each free to its allocation (transcoder.c), the
 * busiest lookup of a recording, one for every allocation and every free.
 *
 * Buckets of BUCKET_SLOTS entries, each bucket one cache line: a block
 * is in its address's bucket, or, if that one was full when it came, in
 * one of the buckets after it; each bucket counts the blocks that went
 * past it, so a lookup stops at the first bucket nothing went past.  At
 * most half the slots are used, so almost every lookup reads one line and
 * compares its addresses all at once, with no branch that depends on the
 * slot's neighbours (linear probing's walk, and its shifts back at each
 * removal, cost a mispredicted branch or more an event).  Address 0 marks
 * an empty slot, and is never a block's (malloc returns it only on
 * failure). */
#ifndef HEAPBOOK_ADDRMAP_H
#define HEAPBOOK_ADDRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ADDRMAP_BUCKET_SLOTS = 4 };

typedef struct addrmap_bucket {
    uint64_t address[ADDRMAP_BUCKET_SLOTS]; /* 0: empty */
    uint32_t info[ADDRMAP_BUCKET_SLOTS];    /* what the block is: its (size, stack) pair's id */
    uint32_t passed; /* blocks of this bucket's addresses kept in a later one */
} __attribute__((aligned(64))) addrmap_bucket;

typedef struct addrmap {
    addrmap_bucket *buckets;
    size_t mask;    /* buckets - 1 */
    unsigned shift; /* 64 - log2(buckets): the hash's bits it does not keep */
    size_t used;
} addrmap;

/* The bucket `address` belongs in: the top bits of a multiplicative hash,
 * which depend on every bit of the key (an address's low bits are 0; the
 * keys export_pprof.c uses are small numbers). */
static inline size_t addrmap_home(const addrmap *map, uint64_t address) {
    return (size_t)((address ^ (address >> 32)) * UINT64_C(0x9E3779B97F4A7C15) >> map->shift);
}

/* Asks the CPU to bring in the bucket of `address` for a put, take or
 * find some events later: with the live set of a busy program in
 * megabytes, a lookup otherwise waits for memory. */
static inline void addrmap_prefetch(const addrmap *map, uint64_t address) {
    if (map->buckets != NULL)
        __builtin_prefetch(&map->buckets[addrmap_home(map, address)], 1);
}

/* Records `address` (not 0) as a live block of `info`; *replaced is the
 * info of a block already recorded at that address (its free was missed),
 * else 0.  False if memory runs out. */
bool addrmap_put(addrmap *map, uint64_t address, uint32_t info, uint32_t *replaced);

/* Removes `address` and gives its info; false if it is not there. */
bool addrmap_take(addrmap *map, uint64_t address, uint32_t *info);

/* The info of the live block at `address`; false if there is none. */
bool addrmap_find(const addrmap *map, uint64_t address, uint32_t *info);

/* Writes every address in the map (map->used of them) into `addresses`,
 * in no particular order. */
void addrmap_addresses(const addrmap *map, uint64_t *addresses);

void addrmap_free(addrmap *map);

#endif
