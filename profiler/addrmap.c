#include "addrmap.h"

#include <stdlib.h>
#include <string.h>

static size_t home(const addrmap *map, uint64_t address) {
    return (size_t)((address >> 4) * UINT64_C(0x9E3779B97F4A7C15) >> 20) & map->mask;
}

static size_t probe(const addrmap *map, uint64_t address) {
    size_t i = home(map, address);
    while (map->slots[i].address != 0 && map->slots[i].address != address)
        i = (i + 1) & map->mask;
    return i;
}

static bool grow(addrmap *map) {
    size_t count = map->slots ? 2 * (map->mask + 1) : 1 << 16;
    addrmap old = *map;
    map->slots = calloc(count, sizeof *map->slots);
    if (map->slots == NULL) {
        *map = old;
        return false;
    }
    map->mask = count - 1;
    for (size_t i = 0; old.slots && i <= old.mask; i++)
        if (old.slots[i].address != 0)
            map->slots[probe(map, old.slots[i].address)] = old.slots[i];
    free(old.slots);
    return true;
}

bool addrmap_put(addrmap *map, uint64_t address, uint32_t info, uint32_t *replaced) {
    if ((map->slots == NULL || 2 * (map->used + 1) > map->mask + 1) && !grow(map))
        return false;
    addrmap_entry *slot = &map->slots[probe(map, address)];
    *replaced = slot->address == address ? slot->info : 0;
    if (slot->address == 0)
        map->used++;
    *slot = (addrmap_entry){address, info};
    return true;
}

bool addrmap_find(const addrmap *map, uint64_t address, uint32_t *info) {
    if (map->slots == NULL)
        return false;
    const addrmap_entry *slot = &map->slots[probe(map, address)];
    *info = slot->info;
    return slot->address == address;
}

bool addrmap_take(addrmap *map, uint64_t address, uint32_t *info) {
    if (map->slots == NULL)
        return false;
    size_t hole = probe(map, address);
    if (map->slots[hole].address != address)
        return false;
    *info = map->slots[hole].info;
    /* Backward-shift deletion (Knuth's Algorithm R for linear probing):
     * no tombstones, so a lookup never walks past freed slots. */
    for (size_t next = (hole + 1) & map->mask; map->slots[next].address != 0;
         next = (next + 1) & map->mask) {
        size_t h = home(map, map->slots[next].address);
        bool stays = hole <= next ? (hole < h && h <= next) : (hole < h || h <= next);
        if (!stays) {
            map->slots[hole] = map->slots[next];
            hole = next;
        }
    }
    memset(&map->slots[hole], 0, sizeof map->slots[hole]);
    map->used--;
    return true;
}

void addrmap_free(addrmap *map) {
    free(map->slots);
    *map = (addrmap){0};
}
