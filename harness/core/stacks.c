/* stacks.c: call stacks, captured and stored once each (core.h: Stacks). */
#include "internal.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <link.h>
#include <pthread.h>
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
    bool suppressed; /* a frame in a suppressed function (track.c) */
    uint64_t hash;
} stack_entry;

/* The module's state: the table of every stack, under one lock. */
static struct {
    hb_spinlock lock;
    uintptr_t *chunks[MAX_CHUNKS];
    size_t chunk_count, chunk_used;
    stack_entry *entries; /* entries[id], id 0 unused */
    size_t entry_capacity;
    uint32_t entry_count;
    uint32_t *index_slots; /* open addressing: stack ids by hash */
    size_t index_mask;
} table = {.lock = HB_SPINLOCK_INIT};

/* How stacks are walked, and how many were walked each way. */
static struct {
    bool frame_pointers_trusted; /* hb_stacks_trust_frame_pointers() */
    _Atomic uint64_t by_frame_pointers, unwound;
} walks;

/* What each new stack is asked once (hb_stacks_classify_with). */
static _Atomic hb_stack_classifier classifier;

void hb_stacks_classify_with(hb_stack_classifier classify) { atomic_store(&classifier, classify); }

/* The executable's own code (core.h): where a walk by frame pointers may
 * go, and where most allocations come from. */
struct hb_program_code hb_program_code;

static int find_program_code(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            hb_program_code.start = info->dlpi_addr + ph->p_vaddr;
            hb_program_code.length = ph->p_memsz;
        }
    }
    return 1; /* the program comes first: stop there */
}

/* dl_iterate_phdr() takes the loader's lock and allocates nothing. */
__attribute__((constructor)) static void remember_program_code(void) {
    dl_iterate_phdr(find_program_code, NULL);
}

static uint64_t hash_frames(const uintptr_t *frames, size_t depth) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < depth; i++)
        h = (h ^ frames[i]) * UINT64_C(0x100000001b3);
    return h;
}

static uintptr_t *store_frames(const uintptr_t *frames, size_t depth) {
    if (table.chunk_count == 0 || table.chunk_used + depth > CHUNK_FRAMES) {
        if (table.chunk_count == MAX_CHUNKS)
            return NULL;
        uintptr_t *chunk = hb_pages_alloc(CHUNK_FRAMES * sizeof *chunk);
        if (chunk == NULL)
            return NULL;
        table.chunks[table.chunk_count++] = chunk;
        table.chunk_used = 0;
    }
    uintptr_t *copy = table.chunks[table.chunk_count - 1] + table.chunk_used;
    memcpy(copy, frames, depth * sizeof *frames);
    table.chunk_used += depth;
    return copy;
}

static bool grow_entries(void) {
    size_t capacity = table.entry_capacity ? 2 * table.entry_capacity : INITIAL_INDEX;
    stack_entry *grown = hb_pages_alloc(capacity * sizeof *grown);
    if (grown == NULL)
        return false;
    if (table.entries != NULL)
        memcpy(grown, table.entries, table.entry_capacity * sizeof *table.entries);
    hb_pages_free(table.entries, table.entry_capacity * sizeof *table.entries);
    table.entries = grown;
    table.entry_capacity = capacity;
    return true;
}

static void index_put(uint32_t *slots, size_t mask, uint32_t id) {
    size_t i = (size_t)table.entries[id].hash & mask;
    while (slots[i] != 0)
        i = (i + 1) & mask;
    slots[i] = id;
}

static bool grow_index(void) {
    size_t count = table.index_slots ? 2 * (table.index_mask + 1) : INITIAL_INDEX;
    uint32_t *slots = hb_pages_alloc(count * sizeof *slots);
    if (slots == NULL)
        return false;
    for (uint32_t id = 1; id <= table.entry_count; id++)
        index_put(slots, count - 1, id);
    if (table.index_slots != NULL)
        hb_pages_free(table.index_slots, (table.index_mask + 1) * sizeof *table.index_slots);
    table.index_slots = slots;
    table.index_mask = count - 1;
    return true;
}

/* memcmp() inline: the harness is built -fno-builtin, and a stack is a
 * few words. */
static bool same_frames(const uintptr_t *a, const uintptr_t *b, size_t depth) {
    for (size_t i = 0; i < depth; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static uint32_t find(const uintptr_t *frames, size_t depth, uint64_t hash) {
    if (table.index_slots == NULL)
        return 0;
    for (size_t i = (size_t)hash & table.index_mask; table.index_slots[i] != 0;
         i = (i + 1) & table.index_mask) {
        const stack_entry *e = &table.entries[table.index_slots[i]];
        if (e->hash == hash && e->depth == depth && same_frames(e->frames, frames, depth))
            return table.index_slots[i];
    }
    return 0;
}

static uint32_t intern(const uintptr_t *frames, size_t depth) {
    uint64_t hash = hash_frames(frames, depth);
    uint32_t id = find(frames, depth, hash);
    if (id != 0)
        return id;
    if (table.entry_count + 1 >= table.entry_capacity && !grow_entries())
        return 0;
    if (table.index_slots == NULL || 2 * (table.entry_count + 1) > table.index_mask + 1)
        if (!grow_index())
            return 0;
    uintptr_t *stored = store_frames(frames, depth);
    if (stored == NULL)
        return 0;
    id = ++table.entry_count;
    hb_stack_classifier classify = atomic_load(&classifier);
    table.entries[id] = (stack_entry){.frames = stored,
                                      .depth = (uint32_t)depth,
                                      .suppressed = classify != NULL && classify(frames, depth),
                                      .hash = hash};
    index_put(table.index_slots, table.index_mask, id);
    return id;
}

/* Each thread remembers the stack it met last at each call site (slots
 * chosen by the innermost frame), so a loop that allocates from one place
 * finds its stack's id without hashing it or taking the table's lock.  A
 * hit is checked frame by frame against the table's copy, which never
 * moves nor changes once written. */
enum { RECENT_SLOTS = 64 }; /* a power of two */
typedef struct recent_stack {
    const uintptr_t *frames; /* the table's copy */
    uint32_t depth;
    bool suppressed;
    uint32_t id; /* 0: empty */
} recent_stack;
static HB_THREAD_LOCAL recent_stack recent[RECENT_SLOTS];

static uint32_t intern_remembered(const uintptr_t *frames, size_t depth, bool *suppressed) {
    /* Return addresses are at least a byte apart; call sites a few. */
    recent_stack *r = &recent[depth == 0 ? 0 : (frames[0] >> 2) & (RECENT_SLOTS - 1)];
    if (r->id != 0 && r->depth == depth && same_frames(r->frames, frames, depth)) {
        *suppressed = r->suppressed;
        return r->id;
    }
    hb_spin_lock(&table.lock);
    uint32_t id = intern(frames, depth);
    const uintptr_t *stored = id != 0 ? table.entries[id].frames : NULL;
    *suppressed = id != 0 && table.entries[id].suppressed;
    hb_spin_unlock(&table.lock);
    if (id != 0)
        *r = (recent_stack){
            .frames = stored, .depth = (uint32_t)depth, .suppressed = *suppressed, .id = id};
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

/* The stack from `caller` outwards, by libunwind: it reads the .eh_frame
 * tables, so it needs no frame pointers and walks through libc too. */
static size_t unwind(uintptr_t caller, uintptr_t frames[HB_STACK_MAX_FRAMES]) {
    /* A few extra frames for the allocator's own, which are cut off below. */
    enum { SLACK = 8 };
    choose_unwind_cache();
    atomic_fetch_add_explicit(&walks.unwound, 1, memory_order_relaxed);
    void *raw[HB_STACK_MAX_FRAMES + SLACK];
    int depth = unw_backtrace(raw, HB_STACK_MAX_FRAMES + SLACK);
    if (depth < 0) /* libunwind's count is an int: no frames rather than garbage */
        depth = 0;
    int first = 0;
    while (first < depth && (uintptr_t)raw[first] != caller)
        first++;
    if (first == depth) /* caller not seen: keep everything rather than nothing */
        first = 0;
    size_t kept = (size_t)(depth - first);
    if (kept > HB_STACK_MAX_FRAMES)
        kept = HB_STACK_MAX_FRAMES;
    for (size_t i = 0; i < kept; i++)
        frames[i] = (uintptr_t)raw[first + (int)i];
    return kept;
}

/* ---- frame pointers
 *
 * Every function of a test binary keeps a frame pointer (mk/config.mk):
 * each frame starts with the caller's frame address, then the return
 * address, so the stack is a linked list, read in a few instructions a
 * frame instead of libunwind's few hundred.  The walk starts in a frame of
 * the harness's and goes through the harness's (compiled with frame
 * pointers too; fast_paths.c, compiled without, reaches them by tail
 * calls, which leave the caller's frame pointer in place) to the frame
 * whose return address is `caller`.  From there it follows the program's
 * frames, and stops after the first return address outside the
 * executable: that code (libc, CUnit) may keep no frame pointer.  Anything
 * unexpected (the caller's frame not found, a frame outside this thread's
 * stack, code outside the executable calling malloc) falls back to
 * libunwind, which gives the same frames. */

/* This thread's stack, asked of glibc once per thread. */
static HB_THREAD_LOCAL hb_stack_bounds this_stack;

hb_stack_bounds hb_stacks_this_thread(void) {
    if (this_stack.high != 0)
        return this_stack;
    pthread_attr_t attributes;
    void *low;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
        if (pthread_attr_getstack(&attributes, &low, &size) == 0)
            this_stack = (hb_stack_bounds){(uintptr_t)low, (uintptr_t)low + size};
        pthread_attr_destroy(&attributes);
    }
    return this_stack;
}

hb_stack_bounds hb_stacks_known(void) { return this_stack; }

/* A frame record at `next`, above `frame` on this stack?  (Frames of
 * callers lie at higher addresses.) */
static inline bool frame_above(const uintptr_t *next, const uintptr_t *frame, uintptr_t top) {
    return next > frame && (uintptr_t)(next + 2) <= top;
}

/* The walk from `frame`, a frame of the harness's own below the caller's;
 * 0 frames if it cannot be trusted (then unwind() does it). */
static size_t walk_frame_pointers(const uintptr_t *frame, uintptr_t caller,
                                  uintptr_t frames[HB_STACK_MAX_FRAMES]) {
    uintptr_t top = this_stack.high != 0 ? this_stack.high : hb_stacks_this_thread().high;
    if (top == 0 || (uintptr_t)frame >= top) /* on a signal stack, say */
        return 0;
    while (frame[1] != caller) {
        const uintptr_t *next = (const uintptr_t *)frame[0];
        if (!frame_above(next, frame, top))
            return 0;
        frame = next;
    }
    size_t depth = 0;
    frames[depth++] = caller;
    while (depth < HB_STACK_MAX_FRAMES) {
        const uintptr_t *next = (const uintptr_t *)frame[0];
        if (!frame_above(next, frame, top))
            break;
        frame = next;
        uintptr_t returns_to = frame[1];
        frames[depth++] = returns_to;
        if (!hb_in_program_code(returns_to))
            break;
    }
    atomic_fetch_add_explicit(&walks.by_frame_pointers, 1, memory_order_relaxed);
    return depth;
}

void hb_stacks_trust_frame_pointers(void) { walks.frame_pointers_trusted = true; }

hb_stack_walks hb_stacks_walks(void) {
    return (hb_stack_walks){
        .by_frame_pointers = atomic_load(&walks.by_frame_pointers),
        .unwound = atomic_load(&walks.unwound),
    };
}

uint32_t hb_stacks_capture_from(const void *frame, uintptr_t caller, bool *suppressed) {
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth = 0;
    if (walks.frame_pointers_trusted && hb_in_program_code(caller))
        depth = walk_frame_pointers(frame, caller, frames);
    if (depth == 0)
        depth = unwind(caller, frames);
    return intern_remembered(frames, depth, suppressed);
}

uint32_t hb_stacks_capture(uintptr_t caller) {
    bool suppressed;
    return hb_stacks_capture_from(__builtin_frame_address(0), caller, &suppressed);
}

size_t hb_stacks_frames(uint32_t id, uintptr_t frames[HB_STACK_MAX_FRAMES]) {
    hb_spin_lock(&table.lock);
    size_t depth = 0;
    if (id != 0 && id <= table.entry_count) {
        depth = table.entries[id].depth;
        memcpy(frames, table.entries[id].frames, depth * sizeof *frames);
    }
    hb_spin_unlock(&table.lock);
    return depth;
}

uint32_t hb_stacks_count(void) {
    hb_spin_lock(&table.lock);
    uint32_t count = table.entry_count;
    hb_spin_unlock(&table.lock);
    return count;
}

void hb_stacks_lock(void) { hb_spin_lock(&table.lock); }
void hb_stacks_unlock(void) { hb_spin_unlock(&table.lock); }
