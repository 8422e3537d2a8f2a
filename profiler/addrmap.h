/* addrmap: the blocks live at a point of a replay, by address. */
#ifndef HEAPBOOK_ADDRMAP_H
#define HEAPBOOK_ADDRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct addrmap_entry {
    uint64_t address; /* 0: empty */
    uint64_t size;
    uint32_t stack;
} addrmap_entry;

typedef struct addrmap {
    addrmap_entry *slots;
    size_t mask, used;
} addrmap;

/* False if memory runs out. */
bool addrmap_put(addrmap *map, uint64_t address, uint64_t size, uint32_t stack);

/* Removes `address`; false if it is not there. */
bool addrmap_take(addrmap *map, uint64_t address, addrmap_entry *taken);

void addrmap_free(addrmap *map);

#endif
