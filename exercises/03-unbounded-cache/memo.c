/* Exercise 03: memo, a hash table with open addressing and linear probing.
 *
 *     entries: [ used key value ][ unused ][ used key value ] ...
 *               capacity slots, a power of two
 *
 * A key lives in the first unused slot at or after its hash; lookups probe
 * from the hash until they find the key or an unused slot.  The table doubles
 * before it is three quarters full, which keeps the probes short. */
#include "memo.h"

#include <stdlib.h>

enum { FIRST_CAPACITY = 16 };

typedef struct memo_entry {
    uint64_t key;
    uint64_t value;
    bool used;
} memo_entry;

struct memo {
    memo_entry *entries; /* NULL until the first memo_put */
    size_t capacity;     /* slots in `entries` */
    size_t count;        /* slots in use */
};

/* Spreads the bits of keys that differ only a little (n, n + 1, ...) over the
 * whole word: the finaliser of SplitMix64. */
static uint64_t hash(uint64_t key) {
    key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9u;
    key = (key ^ (key >> 27)) * 0x94d049bb133111ebu;
    return key ^ (key >> 31);
}

/* The slot holding `key`, or the unused slot where it would go. */
static size_t find_slot(const memo_entry *entries, size_t capacity, uint64_t key) {
    size_t mask = capacity - 1, slot = hash(key) & mask;
    while (entries[slot].used && entries[slot].key != key)
        slot = (slot + 1) & mask;
    return slot;
}

/* Moves every entry into a table twice as big (or makes the first one). */
static bool grow(memo *m) {
    size_t capacity = m->capacity == 0 ? FIRST_CAPACITY : 2 * m->capacity;
    memo_entry *entries = calloc(capacity, sizeof *entries);
    if (entries == NULL)
        return false;
    for (size_t i = 0; i < m->capacity; i++)
        if (m->entries[i].used)
            entries[find_slot(entries, capacity, m->entries[i].key)] = m->entries[i];
    free(m->entries);
    m->entries = entries;
    m->capacity = capacity;
    return true;
}

memo *memo_create(void) { return calloc(1, sizeof(memo)); }

void memo_destroy(memo *m) {
    if (m == NULL)
        return;
    free(m->entries);
    free(m);
}

bool memo_get(const memo *m, uint64_t key, uint64_t *value) {
    if (m->count == 0)
        return false;
    const memo_entry *entry = &m->entries[find_slot(m->entries, m->capacity, key)];
    if (!entry->used)
        return false;
    *value = entry->value;
    return true;
}

bool memo_put(memo *m, uint64_t key, uint64_t value) {
    /* Grow first if one more entry would fill three quarters of the slots. */
    if (4 * (m->count + 1) > 3 * m->capacity && !grow(m))
        return false;
    memo_entry *entry = &m->entries[find_slot(m->entries, m->capacity, key)];
    if (!entry->used)
        m->count++;
    *entry = (memo_entry){.key = key, .value = value, .used = true};
    return true;
}
