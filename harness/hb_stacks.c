#include "hb_stacks.h"

#include "hb_pages.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <pthread.h>
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

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
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

uint32_t hb_stacks_capture(uintptr_t caller) {
    /* A few extra frames for the allocator's own, which are cut off below. */
    enum { SLACK = 8 };
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
    pthread_mutex_lock(&lock);
    uint32_t id = intern(frames, kept);
    pthread_mutex_unlock(&lock);
    return id;
}

size_t hb_stacks_frames(uint32_t id, uintptr_t frames[HB_STACK_MAX_FRAMES]) {
    pthread_mutex_lock(&lock);
    size_t depth = 0;
    if (id != 0 && id <= entry_count) {
        depth = entries[id].depth;
        memcpy(frames, entries[id].frames, depth * sizeof *frames);
    }
    pthread_mutex_unlock(&lock);
    return depth;
}

uint32_t hb_stacks_count(void) {
    pthread_mutex_lock(&lock);
    uint32_t count = entry_count;
    pthread_mutex_unlock(&lock);
    return count;
}

void hb_stacks_lock(void) { pthread_mutex_lock(&lock); }
void hb_stacks_unlock(void) { pthread_mutex_unlock(&lock); }
