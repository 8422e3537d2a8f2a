/* index_map.c: keys to numbers by open addressing (index_map.h). */
#include "index_map.h"

#include <stdlib.h>

static size_t slot_of(const index_map *m, const void *key) {
    size_t i = (size_t)m->hash(key) & m->mask;
    while (m->keys[i] != NULL && !m->equal(m->keys[i], key))
        i = (i + 1) & m->mask;
    return i;
}

static bool grow(index_map *m) {
    size_t count = m->keys ? 2 * (m->mask + 1) : 1024, old_count = m->keys ? m->mask + 1 : 0;
    const void **old_keys = m->keys;
    uint32_t *old_values = m->values;
    m->keys = calloc(count, sizeof *m->keys);
    m->values = calloc(count, sizeof *m->values);
    if (m->keys == NULL || m->values == NULL) {
        free(m->keys);
        free(m->values);
        m->keys = old_keys;
        m->values = old_values;
        return false;
    }
    m->mask = count - 1;
    for (size_t i = 0; i < old_count; i++)
        if (old_keys[i] != NULL) {
            size_t slot = slot_of(m, old_keys[i]);
            m->keys[slot] = old_keys[i];
            m->values[slot] = old_values[i];
        }
    free(old_keys);
    free(old_values);
    return true;
}

bool index_map_get(index_map *m, const void *key, uint32_t value, uint32_t *found, bool *added) {
    if ((m->keys == NULL || 2 * (m->count + 1) > m->mask + 1) && !grow(m))
        return false;
    size_t slot = slot_of(m, key);
    *added = m->keys[slot] == NULL;
    if (*added) {
        m->keys[slot] = key;
        m->values[slot] = value;
        m->count++;
    }
    *found = m->values[slot];
    return true;
}

void index_map_free(index_map *m, void (*each)(const void *key)) {
    for (size_t i = 0; each != NULL && m->keys != NULL && i <= m->mask; i++)
        if (m->keys[i] != NULL)
            each(m->keys[i]);
    free(m->keys);
    free(m->values);
    m->keys = NULL;
    m->values = NULL;
    m->mask = m->count = 0;
}
