#include "hb_blocks.h"

#include "hb_pages.h"
#include "hb_spinlock.h"

#include <string.h>

/* Open addressing with linear probing: a lookup touches one or two cache
 * lines, and deletion shifts the probe run back so no tombstones pile up. */
enum {
    SHARD_BITS = 6,
    SHARD_COUNT = 1 << SHARD_BITS,
    INITIAL_SLOTS = 1024,
};

/* A shard to a cache line: two threads working in different shards never
 * write the same line. */
typedef struct shard {
    hb_spinlock lock;
    hb_block *slots;
    size_t mask;    /* slot count - 1; slot count is a power of two */
    unsigned shift; /* 64 - log2(slot count): a hash's top bits pick the slot */
    size_t used;
} __attribute__((aligned(64))) shard;

static shard shards[SHARD_COUNT];

/* Fibonacci hashing spreads the low bits of 16-byte aligned addresses. */
static uint64_t hash_address(uintptr_t address) {
    return (uint64_t)(address >> 4) * UINT64_C(0x9E3779B97F4A7C15);
}

/* A shard per 4 MiB region of addresses, not per block: mimalloc gives
 * each thread pages of its own, so a thread's blocks mostly share the
 * shards no other thread uses, and two threads rarely touch one lock. */
enum { REGION_SHIFT = 22 };
static shard *shard_of(uintptr_t address) {
    uint64_t region = (uint64_t)(address >> REGION_SHIFT) * UINT64_C(0x9E3779B97F4A7C15);
    return &shards[region >> (64 - SHARD_BITS)];
}

/* The top bits of a multiplicative hash: its low bits are only the
 * address's low bits, shuffled. */
static size_t home_slot(const shard *s, uint64_t hash) { return (size_t)(hash >> s->shift); }

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
    s->shift = 64 - (unsigned)__builtin_ctzll(slot_count);
    for (size_t i = 0; i < old_count; i++)
        if (old[i].address != 0)
            s->slots[probe(s, old[i].address, hash_address(old[i].address))] = old[i];
    hb_pages_free(old, old_count * sizeof *old);
    return true;
}

void hb_blocks_prefetch(uintptr_t address) {
    const shard *s = shard_of(address);
    /* Unlocked, relaxed reads: a stale table only wastes the prefetch. */
    hb_block *slots = __atomic_load_n(&s->slots, __ATOMIC_RELAXED);
    unsigned shift = __atomic_load_n(&s->shift, __ATOMIC_RELAXED);
    if (slots != NULL)
        __builtin_prefetch(&slots[hash_address(address) >> shift], 1);
}

bool hb_blocks_insert(const hb_block *block) {
    uint64_t hash = hash_address(block->address);
    shard *s = shard_of(block->address);
    hb_spin_lock(&s->lock);
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
    hb_spin_unlock(&s->lock);
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
    shard *s = shard_of(address);
    hb_spin_lock(&s->lock);
    bool present = false;
    if (s->slots != NULL) {
        size_t i = probe(s, address, hash);
        present = s->slots[i].address == address;
        if (present) {
            *removed = s->slots[i];
            delete_slot(s, i);
        }
    }
    hb_spin_unlock(&s->lock);
    return present;
}

void hb_blocks_lock_all(void) {
    for (int i = 0; i < SHARD_COUNT; i++)
        hb_spin_lock(&shards[i].lock);
}

void hb_blocks_unlock_all(void) {
    for (int i = SHARD_COUNT - 1; i >= 0; i--)
        hb_spin_unlock(&shards[i].lock);
}
