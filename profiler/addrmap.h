/* addrmap: the live blocks of a recorded process, by address: what lets
 * heapbook run match each free to its allocation (transcoder.c).  Open
 * addressing, no tombstones; address 0 marks an empty slot, and is never a
 * block's (malloc returns it only on failure). */
#ifndef HEAPBOOK_ADDRMAP_H
#define HEAPBOOK_ADDRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct addrmap_entry {
    uint64_t address; /* 0: empty */
    uint32_t info;    /* what the block is: its (size, stack) pair's id */
} addrmap_entry;

typedef struct addrmap {
    addrmap_entry *slots;
    size_t mask, used;
} addrmap;

/* Records `address` (not 0) as a live block of `info`; *replaced is the
 * info of a block already recorded at that address (its free was missed),
 * else 0.  False if memory runs out. */
bool addrmap_put(addrmap *map, uint64_t address, uint32_t info, uint32_t *replaced);

/* Removes `address` and gives its info; false if it is not there. */
bool addrmap_take(addrmap *map, uint64_t address, uint32_t *info);

/* The info of the live block at `address`; false if there is none. */
bool addrmap_find(const addrmap *map, uint64_t address, uint32_t *info);

void addrmap_free(addrmap *map);

#endif
