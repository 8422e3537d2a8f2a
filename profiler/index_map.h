/* index_map: keys (strings, frames, any pointer) to small numbers, each
 * key once: the string tables and frame lists the exports and the
 * capture's frame names write, where the first sighting of a key is when
 * its entry is written.  Open addressing, grown at half full; the map
 * keeps the key pointers, not what they point to. */
#ifndef HEAPBOOK_INDEX_MAP_H
#define HEAPBOOK_INDEX_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct index_map {
    uint64_t (*hash)(const void *key);
    bool (*equal)(const void *a, const void *b);
    const void **keys; /* NULL: an empty slot */
    uint32_t *values;
    size_t mask, count;
} index_map;

/* The value of `key`, or, the first time, `value` recorded for it (with
 * *added set).  False if memory runs out. */
bool index_map_get(index_map *map, const void *key, uint32_t value, uint32_t *found, bool *added);

/* Calls `each` with every key kept (to free them, if the caller owns
 * them), then frees the map's own memory. */
void index_map_free(index_map *map, void (*each)(const void *key));

#endif
