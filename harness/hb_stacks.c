#include "hb_stacks.h"

#include "hb_pages.h"
#include "hb_spinlock.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

/* Frames of every stack, back to back, in chunks that never move, so a
 * stack's frames can be read while new stacks are being added. */
enum {
    CHUNK_FRAMES = 1 << 16,
    MAX_CHUNKS = 4096,       /* 4096 x 64 Ki frames: far beyond any test */
    INITIAL_INDEX = 1 << 12, /* hash slots; grows at half full */
};

typedef struct stack_entry {
    uintptr_t *frames;
    uint32_t depth;
    uint64_t hash;
} stack_entry;

static hb_spinlock lock = HB_SPINLOCK_INIT;
static uintptr_t *chunks[MAX_CHUNKS];
static size_t chunk_count, chunk_used;
static stack_entry *entries; /* entries[id], id 0 unused */
static size_t entry_capacity;
static uint32_t entry_count;
static uint32_t *index_slots; /* open addressing: stack ids by hash */
static size_t index_mask;

static uint64_t hash_frames(const uintptr_t *frames, size_t depth) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < depth; i++)
        h = (h ^ frames[i]) * UINT64_C(0x100000001b3);
    return h;
}

static uintptr_t *store_frames(const uintptr_t *frames, size_t depth) {
    if (chunk_count == 0 || chunk_used + depth > CHUNK_FRAMES) {
        if (chunk_count == MAX_CHUNKS)
            return NULL;
        uintptr_t *chunk = hb_pages_alloc(CHUNK_FRAMES * sizeof *chunk);
        if (chunk == NULL)
            return NULL;
        chunks[chunk_count++] = chunk;
        chunk_used = 0;
    }
    uintptr_t *copy = chunks[chunk_count - 1] + chunk_used;
    memcpy(copy, frames, depth * sizeof *frames);
    chunk_used += depth;
    return copy;
}

static bool grow_entries(void) {
    size_t capacity = entry_capacity ? 2 * entry_capacity : INITIAL_INDEX;
    stack_entry *grown = hb_pages_alloc(capacity * sizeof *grown);
    if (grown == NULL)
        return false;
    if (entries != NULL)
        memcpy(grown, entries, entry_capacity * sizeof *entries);
    hb_pages_free(entries, entry_capacity * sizeof *entries);
    entries = grown;
    entry_capacity = capacity;
    return true;
}

static void index_put(uint32_t *slots, size_t mask, uint32_t id) {
    size_t i = (size_t)entries[id].hash & mask;
    while (slots[i] != 0)
        i = (i + 1) & mask;
    slots[i] = id;
}

static bool grow_index(void) {
    size_t count = index_slots ? 2 * (index_mask + 1) : INITIAL_INDEX;
    uint32_t *slots = hb_pages_alloc(count * sizeof *slots);
    if (slots == NULL)
        return false;
    for (uint32_t id = 1; id <= entry_count; id++)
        index_put(slots, count - 1, id);
    if (index_slots != NULL)
        hb_pages_free(index_slots, (index_mask + 1) * sizeof *index_slots);
    index_slots = slots;
    index_mask = count - 1;
    return true;
}

static uint32_t find(const uintptr_t *frames, size_t depth, uint64_t hash) {
    if (index_slots == NULL)
        return 0;
    for (size_t i = (size_t)hash & index_mask; index_slots[i] != 0; i = (i + 1) & index_mask) {
        const stack_entry *e = &entries[index_slots[i]];
        if (e->hash == hash && e->depth == depth &&
            memcmp(e->frames, frames, depth * sizeof *frames) == 0)
            return index_slots[i];
    }
    return 0;
}

static uint32_t intern(const uintptr_t *frames, size_t depth) {
    uint64_t hash = hash_frames(frames, depth);
    uint32_t id = find(frames, depth, hash);
    if (id != 0)
        return id;
    if (entry_count + 1 >= entry_capacity && !grow_entries())
        return 0;
    if (index_slots == NULL || 2 * (entry_count + 1) > index_mask + 1)
        if (!grow_index())
            return 0;
    uintptr_t *stored = store_frames(frames, depth);
    if (stored == NULL)
        return 0;
    id = ++entry_count;
    entries[id] = (stack_entry){.frames = stored, .depth = (uint32_t)depth, .hash = hash};
    index_put(index_slots, index_mask, id);
    return id;
}

/* Each thread remembers the stacks it met last, so a loop that allocates
 * from one place finds its stack's id without taking the table's lock.  A
 * hit is checked frame by frame against the table's copy, which never moves
 * nor changes once written. */
enum { RECENT_SLOTS = 64 }; /* a power of two */
typedef struct recent_stack {
    uint64_t hash;
    const uintptr_t *frames; /* the table's copy */
    uint32_t depth;
    uint32_t id;
} recent_stack;
static __thread recent_stack recent[RECENT_SLOTS] __attribute__((tls_model("initial-exec")));

static uint32_t intern_remembered(const uintptr_t *frames, size_t depth) {
    uint64_t hash = hash_frames(frames, depth);
    recent_stack *r = &recent[hash & (RECENT_SLOTS - 1)];
    if (r->id != 0 && r->hash == hash && r->depth == depth &&
        memcmp(r->frames, frames, depth * sizeof *frames) == 0)
        return r->id;
    hb_spin_lock(&lock);
    uint32_t id = intern(frames, depth);
    const uintptr_t *stored = id != 0 ? entries[id].frames : NULL;
    hb_spin_unlock(&lock);
    if (id != 0)
        *r = (recent_stack){.hash = hash, .frames = stored, .depth = (uint32_t)depth, .id = id};
    return id;
}

/* libunwind keeps what it learnt of each function's frame in a cache; the
 * default, one cache for the process, is taken with signals blocked (a
 * sigprocmask call each time).  One per thread needs no lock. */
static void choose_unwind_cache(void) {
    static _Atomic bool chosen;
    if (!atomic_load_explicit(&chosen, memory_order_relaxed) && !atomic_exchange(&chosen, true))
        unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

uint32_t hb_stacks_capture(uintptr_t caller) {
    /* A few extra frames for the allocator's own, which are cut off below. */
    enum { SLACK = 8 };
    choose_unwind_cache();
    void *raw[HB_STACK_MAX_FRAMES + SLACK];
    int depth = unw_backtrace(raw, HB_STACK_MAX_FRAMES + SLACK);
    int first = 0;
    while (first < depth && (uintptr_t)raw[first] != caller)
        first++;
    if (first == depth) /* caller not seen: keep everything rather than nothing */
        first = 0;
    size_t kept = (size_t)(depth - first);
    if (kept > HB_STACK_MAX_FRAMES)
        kept = HB_STACK_MAX_FRAMES;
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    for (size_t i = 0; i < kept; i++)
        frames[i] = (uintptr_t)raw[first + (int)i];
    return intern_remembered(frames, kept);
}

size_t hb_stacks_frames(uint32_t id, uintptr_t frames[HB_STACK_MAX_FRAMES]) {
    hb_spin_lock(&lock);
    size_t depth = 0;
    if (id != 0 && id <= entry_count) {
        depth = entries[id].depth;
        memcpy(frames, entries[id].frames, depth * sizeof *frames);
    }
    hb_spin_unlock(&lock);
    return depth;
}

uint32_t hb_stacks_count(void) {
    hb_spin_lock(&lock);
    uint32_t count = entry_count;
    hb_spin_unlock(&lock);
    return count;
}

void hb_stacks_lock(void) { hb_spin_lock(&lock); }
void hb_stacks_unlock(void) { hb_spin_unlock(&lock); }
