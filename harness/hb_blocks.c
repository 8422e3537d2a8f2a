#include "hb_blocks.h"

#include "hb_pages.h"

#include <pthread.h>
#include <string.h>

/* Open addressing with linear probing: a lookup touches one or two cache
 * lines, and deletion shifts the probe run back so no tombstones pile up. */
enum {
    SHARD_BITS = 6,
    SHARD_COUNT = 1 << SHARD_BITS,
    INITIAL_SLOTS = 1024,
};

typedef struct shard {
    pthread_mutex_t lock;
    hb_block *slots;
    size_t mask; /* slot count - 1; slot count is a power of two */
    size_t used;
} shard;

static shard shards[SHARD_COUNT] = {
    [0 ... SHARD_COUNT - 1] = {.lock = PTHREAD_MUTEX_INITIALIZER},
};

/* Fibonacci hashing spreads the low bits of 16-byte aligned addresses. */
static uint64_t hash_address(uintptr_t address) {
    return (uint64_t)(address >> 4) * UINT64_C(0x9E3779B97F4A7C15);
}

static shard *shard_of(uint64_t hash) { return &shards[hash >> (64 - SHARD_BITS)]; }

static size_t home_slot(const shard *s, uint64_t hash) { return (size_t)hash & s->mask; }

static size_t probe(const shard *s, uintptr_t address, uint64_t hash) {
    size_t i = home_slot(s, hash);
    while (s->slots[i].address != 0 && s->slots[i].address != address)
        i = (i + 1) & s->mask;
    return i;
}

static bool resize(shard *s, size_t slot_count) {
    hb_block *slots = hb_pages_alloc(slot_count * sizeof *slots);
    if (slots == NULL)
        return false;
    hb_block *old = s->slots;
    size_t old_count = old ? s->mask + 1 : 0;
    s->slots = slots;
    s->mask = slot_count - 1;
    for (size_t i = 0; i < old_count; i++)
        if (old[i].address != 0)
            s->slots[probe(s, old[i].address, hash_address(old[i].address))] = old[i];
    hb_pages_free(old, old_count * sizeof *old);
    return true;
}

bool hb_blocks_insert(const hb_block *block) {
    uint64_t hash = hash_address(block->address);
    shard *s = shard_of(hash);
    pthread_mutex_lock(&s->lock);
    /* Grow at half full: probe runs stay short. */
    bool ok = true;
    if (s->slots == NULL)
        ok = resize(s, INITIAL_SLOTS);
    else if (2 * (s->used + 1) > s->mask + 1)
        ok = resize(s, 2 * (s->mask + 1));
    if (ok) {
        hb_block *slot = &s->slots[probe(s, block->address, hash)];
        if (slot->address == 0)
            s->used++;
        *slot = *block;
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}

/* Backward-shift deletion: move later members of the probe run into the hole
 * whenever their home slot does not lie between the hole and themselves. */
static void delete_slot(shard *s, size_t hole) {
    size_t next = (hole + 1) & s->mask;
    while (s->slots[next].address != 0) {
        size_t home = home_slot(s, hash_address(s->slots[next].address));
        bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
        if (!stays) {
            s->slots[hole] = s->slots[next];
            hole = next;
        }
        next = (next + 1) & s->mask;
    }
    memset(&s->slots[hole], 0, sizeof s->slots[hole]);
    s->used--;
}

bool hb_blocks_remove(uintptr_t address, hb_block *removed) {
    uint64_t hash = hash_address(address);
    shard *s = shard_of(hash);
    pthread_mutex_lock(&s->lock);
    bool present = false;
    if (s->slots != NULL) {
        size_t i = probe(s, address, hash);
        present = s->slots[i].address == address;
        if (present) {
            *removed = s->slots[i];
            delete_slot(s, i);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return present;
}

void hb_blocks_lock_all(void) {
    for (int i = 0; i < SHARD_COUNT; i++)
        pthread_mutex_lock(&shards[i].lock);
}

void hb_blocks_unlock_all(void) {
    for (int i = SHARD_COUNT - 1; i >= 0; i--)
        pthread_mutex_unlock(&shards[i].lock);
}
