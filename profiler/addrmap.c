/* addrmap.c: the live blocks by address, in buckets of a cache line
 * (addrmap.h). */
#include "addrmap.h"

#include <stdlib.h>

/* 16,384 buckets: 1 MiB, 65,536 slots. */
enum { INITIAL_BUCKETS_LOG2 = 14 };

/* Bit i set if slot i of `bucket` holds `address`: the slots compared
 * together, without a branch. */
static unsigned matching(const addrmap_bucket *bucket, uint64_t address) {
    unsigned found = 0;
    for (unsigned i = 0; i < ADDRMAP_BUCKET_SLOTS; i++)
        found |= (unsigned)(bucket->address[i] == address) << i;
    return found;
}

/* The bucket and slot of `address`; false if it is not there. */
static bool locate(const addrmap *map, uint64_t address, size_t *bucket, unsigned *slot) {
    if (map->buckets == NULL || address == 0) /* 0: an empty slot's */
        return false;
    for (size_t b = addrmap_home(map, address);; b = (b + 1) & map->mask) {
        unsigned found = matching(&map->buckets[b], address);
        if (found != 0) {
            *bucket = b;
            *slot = (unsigned)__builtin_ctz(found);
            return true;
        }
        if (map->buckets[b].passed == 0)
            return false;
    }
}

/* Stores a block not in the map, in the first bucket from its own with a
 * free slot (there is one: at most half the slots are used). */
static void place(addrmap *map, uint64_t address, uint32_t info) {
    size_t b = addrmap_home(map, address);
    unsigned free_slots;
    while ((free_slots = matching(&map->buckets[b], 0)) == 0) {
        map->buckets[b].passed++;
        b = (b + 1) & map->mask;
    }
    unsigned slot = (unsigned)__builtin_ctz(free_slots);
    map->buckets[b].address[slot] = address;
    map->buckets[b].info[slot] = info;
}

static bool grow(addrmap *map) {
    unsigned log2 = map->buckets ? 65 - map->shift : INITIAL_BUCKETS_LOG2;
    addrmap old = *map;
    map->buckets = aligned_alloc(sizeof(addrmap_bucket), sizeof(addrmap_bucket) << log2);
    if (map->buckets == NULL) {
        *map = old;
        return false;
    }
    for (size_t b = 0; b < (size_t)1 << log2; b++)
        map->buckets[b] = (addrmap_bucket){0};
    map->mask = ((size_t)1 << log2) - 1;
    map->shift = 64 - log2;
    for (size_t b = 0; old.buckets && b <= old.mask; b++)
        for (unsigned i = 0; i < ADDRMAP_BUCKET_SLOTS; i++)
            if (old.buckets[b].address[i] != 0)
                place(map, old.buckets[b].address[i], old.buckets[b].info[i]);
    free(old.buckets);
    return true;
}

bool addrmap_put(addrmap *map, uint64_t address, uint32_t info, uint32_t *replaced) {
    size_t bucket;
    unsigned slot;
    if (locate(map, address, &bucket, &slot)) {
        *replaced = map->buckets[bucket].info[slot];
        map->buckets[bucket].info[slot] = info;
        return true;
    }
    *replaced = 0;
    if ((map->buckets == NULL || 2 * (map->used + 1) > ADDRMAP_BUCKET_SLOTS * (map->mask + 1)) &&
        !grow(map))
        return false;
    place(map, address, info);
    map->used++;
    return true;
}

bool addrmap_find(const addrmap *map, uint64_t address, uint32_t *info) {
    size_t bucket;
    unsigned slot;
    if (!locate(map, address, &bucket, &slot))
        return false;
    *info = map->buckets[bucket].info[slot];
    return true;
}

bool addrmap_take(addrmap *map, uint64_t address, uint32_t *info) {
    size_t bucket;
    unsigned slot;
    if (!locate(map, address, &bucket, &slot))
        return false;
    *info = map->buckets[bucket].info[slot];
    map->buckets[bucket].address[slot] = 0;
    map->used--;
    /* The buckets it went past no longer have it after them. */
    for (size_t b = addrmap_home(map, address); b != bucket; b = (b + 1) & map->mask)
        map->buckets[b].passed--;
    return true;
}

void addrmap_addresses(const addrmap *map, uint64_t *addresses) {
    for (size_t b = 0; map->buckets && b <= map->mask; b++)
        for (unsigned i = 0; i < ADDRMAP_BUCKET_SLOTS; i++)
            if (map->buckets[b].address[i] != 0)
                *addresses++ = map->buckets[b].address[i];
}

void addrmap_free(addrmap *map) {
    free(map->buckets);
    *map = (addrmap){0};
}
