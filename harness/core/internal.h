/* internal.h: the core's private contract, which only the core includes:
 * what its modules tell one another beyond core.h, and the allocation
 * path's common case, inline.
 *
 * Most allocations of a test are made by its one thread, inside its one
 * scope, with no fault armed and no observer listening.  For those, the
 * entry points write the block's header, count it and check it at its free
 * with the inline functions at the end of this header: no call, no loop
 * over scopes, no announcement to other threads.  Anything else (threads,
 * nested scopes, a stack to record, an excluded caller, a signal handler in
 * the middle of the harness) takes the general path of track.c and
 * scope.c, which gives the same figures.
 *
 * The types here are the owners' (scope.c, blocks.c). */
#ifndef HB_INTERNAL_H
#define HB_INTERNAL_H

#include "core.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#if !HB_SANITIZED
#include <mimalloc.h>
#endif

/* The entry points the core defines under the C library's names are
 * declared, so that -Wmissing-prototypes checks each definition against its
 * declaration: glibc's <stdlib.h> and <malloc.h> declare most; these come
 * from other systems' libraries (BSD's reallocf and reallocarr, Windows'
 * _aligned_malloc, macOS's malloc_good_size), for programs ported from them. */
void *reallocf(void *ptr, size_t size);
int reallocarr(void *ptr_address, size_t count, size_t size);
void *_aligned_malloc(size_t size, size_t alignment);
size_t malloc_good_size(size_t size);

/* ======================================================================
 * What the core's modules tell one another, beyond their contract with
 * the layers above (core.h).  Only the core includes this header. */

/* ---- the allocation path's state
 *
 * What the allocation path reads at every call to decide how it counts,
 * in one struct, defined in scope.c (as SQLite's mem2.c keeps its `mem`):
 * no other global of the core is read on that path but the program's code
 * range (core.h's exclusions), which the profiler's preload shares.  Each
 * field has one writer, named beside it; whoever changes the open scopes
 * or a switch then calls hb_scopes_refresh(). */
typedef struct hb_hot_state {
    /* The scopes the inline paths count in, or NULL (hb_scopes_refresh):
     *   plain_scope: the only open scope, if no observer listens, the
     *                quarantine is off, it records no stacks and no fault
     *                is armed: allocations count inline.
     *   lone_scope:  the same, stacks and faults allowed: frees of blocks
     *                without a stack uncount inline. */
    hb_scope *_Atomic plain_scope;
    hb_scope *_Atomic lone_scope;
    /* The switches. */
    _Atomic unsigned observer_count; /* observers listening (track.c) */
    _Atomic bool quarantine_on;      /* quarantine.c */
    _Atomic int fault_armed;         /* fault.c's mode: 0 unless armed */
    /* The open scopes, outermost first (scopes_open_depth of them):
     * written by hb_scope_begin() and _end() only. */
    _Atomic unsigned scopes_open_depth;
    hb_scope *_Atomic scopes_open[HB_SCOPE_MAX_DEPTH];
} hb_hot_state;
extern hb_hot_state hb_hot;

/* The same for each thread, in scope.c too. */
typedef struct hb_thread_state {
    /* A signal handler of the program's that interrupted the harness's own
     * work (trampolines.c) finds the guard up, yet what it allocates is the
     * program's: the guard's depth it found is kept here (0 outside such a
     * handler), and its allocations count at that depth.  They count
     * plainly (hb_counting_plainly): no stack, no sites, no observer, no
     * quarantine, whose tables the interrupted work may be halfway through
     * changing.  Written by trampolines.c. */
    int interrupted_guard;
    /* This thread's slot in the scopes' counts, once it has counted
     * (scope.c). */
    struct hb_thread_slot *slot;
    /* The region of mimalloc's heap where this thread last found a block
     * (blocks.c; HB_KNOWN_REGION_SHIFT).  0: none (no heap below 4 MiB). */
    uintptr_t known_region;
} hb_thread_state;
extern HB_THREAD_LOCAL hb_thread_state hb_this_thread;

/* ---- the guard (core.h) */

static inline bool hb_guard_active(void) { return hb_guard_depth > 0; }
static inline bool hb_guard_lets_count(void) {
    return hb_guard_depth == hb_this_thread.interrupted_guard;
}
static inline bool hb_counting_plainly(void) { return hb_this_thread.interrupted_guard != 0; }
extern int __sigaction(int signal, const struct sigaction *action, struct sigaction *old);

/* ---- a thread's own counters, updated so that a signal handler running
 * on the same thread (trampolines.c) cannot come between a counter's read
 * and its write and lose an update: one instruction each on x86-64 (no
 * lock prefix: no other thread writes them), an atomic operation
 * elsewhere. */

/* *counter += amount; returns the value before. */
static inline uint64_t hb_local_fetch_add(_Atomic uint64_t *counter, uint64_t amount) {
#if defined(__x86_64__)
    __asm__ __volatile__("xaddq %0, %1" : "+r"(amount), "+m"(*(uint64_t *)counter));
    return amount;
#else
    return atomic_fetch_add_explicit(counter, amount, memory_order_relaxed);
#endif
}

/* *counter += amount, the value unused. */
static inline void hb_local_add(_Atomic uint64_t *counter, uint64_t amount) {
#if defined(__x86_64__)
    __asm__ __volatile__("addq %1, %0" : "+m"(*(uint64_t *)counter) : "er"(amount));
#else
    atomic_fetch_add_explicit(counter, amount, memory_order_relaxed);
#endif
}

/* If *counter is *expected, makes it `desired` and returns true; else
 * loads it into *expected and returns false. */
static inline bool hb_local_compare_exchange(_Atomic uint64_t *counter, uint64_t *expected,
                                             uint64_t desired) {
#if defined(__x86_64__)
    bool exchanged;
    __asm__ __volatile__("cmpxchgq %3, %1"
                         : "=@ccz"(exchanged), "+m"(*(uint64_t *)counter), "+a"(*expected)
                         : "r"(desired));
    return exchanged;
#else
    return atomic_compare_exchange_weak_explicit(counter, expected, desired, memory_order_relaxed,
                                                 memory_order_relaxed);
#endif
}

/* ---- blocks (core.h: Blocks; blocks.c) */

/* A multiple of 16, so the caller's pointer keeps the alignment of the
 * block mimalloc returned. */
enum { HB_BLOCK_HEADER = 32 };
/* The bytes to ask the allocator for a request of `size`.  Returns false
 * if no block that big can exist (C caps object sizes at PTRDIFF_MAX, and
 * mimalloc answers EOVERFLOW beyond it where malloc must say ENOMEM). */
static inline bool hb_blocks_gross_size(size_t size, size_t *gross) {
    if (size > PTRDIFF_MAX - HB_BLOCK_HEADER - HB_BLOCK_GUARD)
        return false;
    *gross = size + HB_BLOCK_HEADER + HB_BLOCK_GUARD;
    return true;
}

/* The caller's pointer in mimalloc's block `start`, when the block starts
 * with its header (gap_shift 0).  The header itself is always the
 * HB_BLOCK_HEADER bytes before the caller's pointer. */
static inline void *hb_blocks_payload(void *start) { return (char *)start + HB_BLOCK_HEADER; }

/* How far before the caller's pointer mimalloc's block starts. */
static inline uintptr_t hb_blocks_gap(uint32_t gap_shift) {
    return gap_shift ? (uintptr_t)1 << gap_shift : HB_BLOCK_HEADER;
}

/* Where mimalloc's block of `block` starts: what mi_free() takes. */
static inline void *hb_blocks_allocation(const hb_block *block) {
    return (void *)(block->address - hb_blocks_gap(block->gap_shift));
}

/* hb_blocks_insert() writes the header of a block just allocated, sealing
 * it live, and its guard (internal.h: inline, on every allocation). */
/* hb_blocks_find(), then seals the header freed: the same pointer is no
 * longer a live block.  Returns hb_blocks_allocation() of the block (what
 * mi_free() takes), or NULL if no live block starts at `address`. */
void *hb_blocks_remove(uintptr_t address, hb_block *removed);
/* How many bytes past the end of `block` were written, judged by its
 * guard: 0 if it is intact; HB_BLOCK_GUARD if all of it changed. */
size_t hb_blocks_overflow(const hb_block *block);

/* ---- scopes (scope.c) */

/* Is anything measured?  Inline: the tracker asks at every allocation, and
 * skips the rest of its work when nothing is.  (Acquire: what a scope
 * sets up before it is published is visible once it is seen open.) */
static inline bool hb_scopes_any_open(void) {
    return atomic_load_explicit(&hb_hot.scopes_open_depth, memory_order_acquire) != 0;
}

/* Counts a new block in every open scope, and fills block->scope_id and
 * block->stack_id.  `caller` is the entry point's return address, `frame`
 * where its stack's walk starts (hb_stacks_capture_from). */
void hb_scopes_count_alloc(hb_block *block, uintptr_t caller, const void *frame);

/* Counts the free of `block` in the open scopes that counted its allocation. */
void hb_scopes_count_free(const hb_block *block);
/* A file mapped (`mapped`) or unmapped by the measured code, in the open
 * scopes that were open when it was mapped (its `scope_id`: the innermost
 * then, from hb_scopes_innermost_id()). */
void hb_scopes_count_mapped_file(uint64_t scope_id, size_t bytes, bool mapped);
uint64_t hb_scopes_innermost_id(void);

/* fork(): every scope's tables locked across it (track.c). */
void hb_scopes_lock_all(void);
void hb_scopes_unlock_all(void);

/* In a forked child, after hb_scopes_unlock_all(): the threads that did not
 * come along stop being waited for. */
void hb_scopes_forked_child(void);

/* ---- stacks (stacks.c) */

/* The same, and whether a frame of the stack lies in a suppressed function
 * (hb_suppress_function): worked out once per distinct stack.  The walk
 * by frame pointers starts at `frame`, a frame of the harness's own
 * between here and the caller's (the nearer, the fewer to pass:
 * __builtin_frame_address(0) of the function an entry point called). */
uint32_t hb_stacks_capture_from(const void *frame, uintptr_t caller, bool *suppressed);

/* Asks `classify` of every stack stored from now on whether it is to be
 * suppressed (track.c: glibc's caches), once per distinct stack; the
 * answer comes back from hb_stacks_capture_from().  Without one, none is. */
typedef bool (*hb_stack_classifier)(const uintptr_t *frames, size_t depth);
void hb_stacks_classify_with(hb_stack_classifier classify);
/* The highest id handed out so far. */
uint32_t hb_stacks_count(void);

/* ---- the tracker: what happens to each allocation, between the entry points
 * and the accounting (track.c).
 *
 * Allocations made while the harness itself is at work (the guard), or
 * made directly by an excluded library such as CUnit, are recorded as
 * blocks but counted in no scope. */

/* Records a new block of `size` requested bytes at `ptr` (non-NULL, a
 * payload with room for its header before it; `gap_shift` as in hb_block),
 * made by code whose return address is `caller`; returns `ptr`, so that
 * an entry point can end with a tail call. */
void *hb_track_alloc(void *ptr, size_t size, uint32_t gap_shift, uintptr_t caller);

/* free(): forgets `ptr`, uncounts it and releases its memory; `function`
 * is the entry point ("free", "operator delete"), `caller` its return
 * address.  A pointer that is not a live block (a double free, a pointer
 * the allocator never gave out) or a block whose guard was overwritten is
 * reported, and the program stops. */
void hb_track_free(void *ptr, const char *function, uintptr_t caller);

/* realloc in three steps, so that no other thread can be handed the old
 * address while its record still exists: take the record out (NULL if
 * `ptr` is not a live block; else where mimalloc's block starts; a
 * damaged guard is reported), then either put it back unchanged (the
 * realloc failed) or count it freed. */
void *hb_track_take(void *ptr, hb_block *taken, const char *function, uintptr_t caller);
void hb_track_restore(const hb_block *taken);
void hb_track_count_free(const hb_block *taken, uintptr_t caller);

/* Told of every counted allocation and free (those inside a scope), after
 * the scopes have counted it, under the guard: the misuse detector
 * (support/report.c) and the profiler's recorder.  `caller` is the
 * return address of the entry point. */
typedef struct hb_track_observer {
    void (*allocated)(const hb_block *block);
    void (*freed)(const hb_block *block, uintptr_t caller);
} hb_track_observer;

enum { HB_MAX_OBSERVERS = 4 };

/* Adds an observer, or removes it (false: no room, or not there).  Not
 * thread-safe: change them before threads start or inside a fork's
 * child. */
bool hb_track_observe(const hb_track_observer *observer);
bool hb_track_unobserve(const hb_track_observer *observer);

/* The bad-pointer case of hb_track_memory_error(), for the entry points. */
_Noreturn void hb_track_bad_free(const char *function, void *ptr, uintptr_t caller);

/* Gives a block just freed back to mimalloc, or to the quarantine when
 * it is on and takes it (entry_points.c: the one place that calls
 * mimalloc).  `frame`: where the walk of the free's stack starts, a frame
 * of the harness's own below the caller's (hb_stacks_capture_from): the
 * nearer the caller, the fewer frames to pass. */
void hb_release(const hb_block *block, void *allocation, uintptr_t caller, const void *frame);

/* mi_free(), for the quarantine. */
void hb_release_now(void *allocation);

/* Reports a memory error (the handler hb_track_on_memory_error() set). */
_Noreturn void hb_track_memory_error(const hb_memory_error *error);

/* ---- the quarantine (core.h; quarantine.c) */

enum {
    HB_QUARANTINE_BLOCKS = 1024,           /* held at once, at most */
    HB_QUARANTINE_BYTES = 4 * 1024 * 1024, /* and in all, at most */
    HB_QUARANTINE_POISONED = 4096,         /* bytes poisoned per block */
};

/* Takes a freed block (its stack of free captured here, walked from
 * `frame` as in hb_release()); false if the quarantine is off or will not
 * hold it (then the caller frees it).
 * `whole`: every byte of it poisoned and checked, not only the first
 * HB_QUARANTINE_POISONED (a block realloc moved away from: a pointer kept
 * into an array may point anywhere in it, and realloc's copy already
 * costs as much). */
bool hb_quarantine_keep(const hb_block *block, void *allocation, uintptr_t caller, bool whole,
                        const void *frame);

/* ---- excluded code (core.h; track.c) */

/* The executable's own code (stacks.c finds it): where most allocations
 * are made, never excluded, and where a walk by frame pointers may go.
 * Kept as a start and a length: one subtraction and one comparison. */
extern struct hb_program_code {
    uintptr_t start;
    size_t length;
} hb_program_code;
static inline bool hb_in_program_code(uintptr_t address) {
    return address - hb_program_code.start < hb_program_code.length;
}

/* True if `address` lies in the code of an excluded library. */
bool hb_in_excluded_library_slowly(uintptr_t address);
static inline bool hb_in_excluded_library(uintptr_t address) {
    return !hb_in_program_code(address) && hb_in_excluded_library_slowly(address);
}
/* True if one of the frames lies in a suppressed function. */
bool hb_in_suppressed_function(const uintptr_t *frames, size_t depth);

/* ---- threads (trampolines.c): every thread the program starts runs through a
 * trampoline that gives it a signal stack of its own (so a fault report
 * can run on it when its stack overflows) and looks up its stack's bounds
 * (hb_stacks_known), and its stack counts as a block while a scope that
 * was open at its start is open, until it is joined or ends detached. */

/* ---- fault injection (fault.c) */

/* For the entry points: should the allocation whose caller is `caller`
 * fail? */
bool hb_fault_should_fail(uintptr_t caller);

/* ---- the header before each block (blocks.c) */

/* The first word is the one mimalloc links into its free list once the
 * block is freed: the size, read before the block goes back.  The stack id
 * and the gap share a word, stored and loaded whole: a load that spans two
 * separate stores made just before (malloc, then a quick free) waits for
 * both to land.  The seal comes last, next to the payload, where a write
 * just before the block (an index of -1) lands. */
typedef struct hb_header {
    size_t size;
    uint64_t scope_id;
    uint64_t stack_and_gap; /* stack_id | gap_shift << 32 */
    uint64_t seal;
} hb_header;

_Static_assert(sizeof(hb_header) == HB_BLOCK_HEADER, "the header fills HB_BLOCK_HEADER exactly");
_Static_assert(HB_BLOCK_HEADER % 16 == 0, "the payload keeps the block's alignment");

/* A live block's seal covers its address and every field: bytes copied
 * from another header, a pointer into the middle of a block, or a header
 * overwritten by a write before the block do not pass for a live block.
 * The address is scrambled by one multiplication and the fields folded
 * into the result, rotated so that sizes, scope ids and stack ids below
 * 2^24, 2^16 and 2^24 land on bits of their own and cannot cancel each
 * other out.  Multiplying by an odd number is one-to-one, and so is
 * folding in a word: two blocks at different addresses, or two different
 * folds at one address, never seal alike, and zeroed memory (a word of 0
 * at a nonzero address) never seals at all.  A freed block's seal depends
 * on the address alone (mimalloc reuses the first word), so a second free
 * is told apart from a pointer that never was a block; the free that
 * checks a live seal reuses the same product for it (the multiplication
 * runs once per free, not twice). */
static inline uint64_t hb_scramble(uint64_t value) { return value * UINT64_C(0x9E3779B97F4A7C15); }

static inline uint64_t hb_live_seal(uintptr_t address, size_t size, uint64_t scope_id,
                                    uint64_t stack_and_gap) {
    uint64_t fields =
        size ^ (scope_id << 24 | scope_id >> 40) ^ (stack_and_gap << 40 | stack_and_gap >> 24);
    return hb_scramble(address) ^ fields;
}

static inline uint64_t hb_freed_seal(uintptr_t address) { return ~hb_scramble(address); }

static inline hb_header *hb_header_of(uintptr_t address) {
    return (hb_header *)(address - HB_BLOCK_HEADER);
}

/* The guard's bytes: not 0 (a string's terminator) nor a small number, and
 * a different byte in each half so a copied block does not pass for one.
 * Stored and compared a word at a time (unaligned: the guard starts where
 * the caller's bytes end; __builtin_memcpy: two moves inline, though the
 * harness is built -fno-builtin). */
static const uint64_t hb_guard_words[2] = {UINT64_C(0xFDFDFDFDFDFDFDFD),
                                           UINT64_C(0xFBFBFBFBFBFBFBFB)};
_Static_assert(HB_BLOCK_GUARD == sizeof hb_guard_words, "two words of guard");

static inline void hb_blocks_insert(uintptr_t address, size_t size, uint64_t scope_id,
                                    uint32_t stack_id, uint32_t gap_shift) {
    uint64_t stack_and_gap = stack_id | (uint64_t)gap_shift << 32;
    hb_header *h = hb_header_of(address);
    h->size = size;
    h->scope_id = scope_id;
    h->stack_and_gap = stack_and_gap;
    h->seal = hb_live_seal(address, size, scope_id, stack_and_gap);
    __builtin_memcpy((void *)(address + size), hb_guard_words, sizeof hb_guard_words);
}

static inline bool hb_guard_intact(uintptr_t address, size_t size) {
    uint64_t words[2];
    __builtin_memcpy(words, (const void *)(address + size), sizeof words);
    return ((words[0] ^ hb_guard_words[0]) | (words[1] ^ hb_guard_words[1])) == 0;
}

#if !HB_SANITIZED
/* mimalloc's segments are 32 MiB, aligned so: a region of 4 MiB that holds
 * one of mimalloc's blocks lies whole within its segment.  The last region
 * this thread found in mimalloc's map is remembered, and a header in it is
 * read where it is without asking again (blocks.c asks, and copies any
 * other with the kernel's help, so a bad pointer never faults). */
enum { HB_KNOWN_REGION_SHIFT = 22 };

static inline bool hb_in_known_region(uintptr_t address) {
    return address >> HB_KNOWN_REGION_SHIFT == hb_this_thread.known_region;
}
#endif

/* The header of the live block at `address` if it lies in the known
 * region and its seal and guard are whole; with `plain`, only if it has
 * neither a stack nor a gap.  NULL otherwise (NULL itself included): then
 * the general path decides, and reports any memory error.  Nothing is
 * changed here, so that path starts from the block as it was.  The seal
 * is checked before the guard is read: only then is the size the
 * block's own. */
static inline __attribute__((always_inline)) hb_header *hb_blocks_header_quickly(uintptr_t address,
                                                                                 bool plain) {
#if HB_SANITIZED
    (void)address;
    (void)plain;
    return NULL;
#else
    if (!hb_in_known_region(address - HB_BLOCK_HEADER))
        return NULL;
    hb_header *h = hb_header_of(address);
    size_t size = h->size;
    /* Sealed for no stack and no gap, the seal matches only a header whose
     * stack_and_gap is 0 (hb_live_seal is one-to-one): the field itself
     * need not be read.  A misaligned pointer fails it too. */
    uint64_t stack_and_gap = plain ? 0 : h->stack_and_gap;
    if (h->seal != hb_live_seal(address, size, h->scope_id, stack_and_gap) ||
        !hb_guard_intact(address, size))
        return NULL;
    return h;
#endif
}

/* hb_blocks_remove() for a block hb_blocks_header_quickly() accepts: its
 * record into *removed, the header sealed freed, and where mimalloc's
 * block starts; NULL otherwise, with nothing changed. */
static inline void *hb_blocks_remove_quickly(uintptr_t address, hb_block *removed) {
    hb_header *h = hb_blocks_header_quickly(address, false);
    if (h == NULL)
        return NULL;
    uint64_t stack_and_gap = h->stack_and_gap;
    uint32_t gap_shift = (uint32_t)(stack_and_gap >> 32);
    *removed = (hb_block){.address = address,
                          .size = h->size,
                          .scope_id = h->scope_id,
                          .stack_id = (uint32_t)stack_and_gap,
                          .gap_shift = gap_shift};
    h->seal = hb_freed_seal(address);
    return (void *)(address - hb_blocks_gap(gap_shift));
}

/* ---- scopes and threads (scope.c) */

struct hb_site_stats;

/* Totals and counts of allocations and frees in one scope. */
typedef struct hb_depth_counts {
    _Atomic uint64_t total_bytes, allocations, frees;
} hb_depth_counts;

struct hb_scope {
    bool in_use;
    bool open;
    unsigned depth; /* its index in hb_scopes_open while open */
    unsigned options;
    uint64_t id; /* increases with every scope begun; never 0 */

    /* Shared by every thread: the peak depends on their order. */
    _Atomic uint64_t live_bytes __attribute__((aligned(64)));
    _Atomic uint64_t peak_bytes;

    /* Files mapped (mappings.c): rare, so plain atomics. */
    _Atomic size_t mapped_live_bytes, mapped_peak_bytes;

    /* Counted while the process has one thread, which writes them alone
     * (hb_local_add); the threads' slots hold the rest. */
    hb_depth_counts alone;

    /* Summed from `alone` and the threads' slots when the scope ends. */
    size_t total_bytes;
    uint64_t allocations;
    uint64_t frees;

    hb_spinlock sites_lock;      /* guards everything below */
    struct hb_site_stats *sites; /* indexed by stack id */
    size_t site_capacity;
    size_t sites_live_bytes; /* the same as live_bytes, under sites_lock */
    size_t sites_peak_bytes;
    uint64_t peak_generation;
};

/* A thread's counts for the scope open at each depth, once the process
 * has threads.  A cache line or more per thread: no two threads write the
 * same line.
 * Only the owner writes `inflight` and `counts` (hb_scope_end() zeroes
 * counts while no thread can be counting at that depth); the last slot is
 * shared by every thread beyond HB_THREAD_SLOTS and uses atomic additions. */
typedef struct hb_thread_slot {
    _Atomic pid_t owner; /* kernel thread id; 0: free */
    _Atomic unsigned inflight;
    hb_depth_counts counts[HB_SCOPE_MAX_DEPTH];
} __attribute__((aligned(64))) hb_thread_slot;

/* Recomputes hb_hot's lone and plain scopes from what they depend on:
 * called after every change to the open scopes or to a switch. */
void hb_scopes_refresh(void);

/* `scope` (hb_hot.lone_scope or hb_hot.plain_scope) if this thread may count into
 * it alone: the process has no other thread.  NULL otherwise. */
static inline hb_scope *hb_alone_in(hb_scope *_Atomic *scope) {
    hb_scope *s = atomic_load_explicit(scope, memory_order_relaxed);
    return s != NULL && hb_single_threaded() ? s : NULL;
}

/* The plain scope if an allocation of `caller` counts in it inline: the
 * caller is the program's own code (never excluded), and the harness is
 * not at work (a signal handler that interrupted it finds the guard up as
 * well).  NULL otherwise. */
static inline hb_scope *hb_plain_scope_for(uintptr_t caller) {
    hb_scope *plain = hb_alone_in(&hb_hot.plain_scope);
    if (plain == NULL || hb_guard_depth != 0 || !hb_in_program_code(caller))
        return NULL;
    return plain;
}

/* A new peak: out of line, as it is rare once a scope has warmed up. */
HB_COLD void hb_scope_raise_peak(hb_scope *scope, uint64_t live);

/* Counts a new block of `size` bytes in the plain scope. */
static inline void hb_count_alloc_plainly(hb_scope *scope, size_t size) {
    uint64_t live = hb_local_fetch_add(&scope->live_bytes, size) + size;
    if (live > atomic_load_explicit(&scope->peak_bytes, memory_order_relaxed))
        hb_scope_raise_peak(scope, live);
    hb_local_add(&scope->alone.total_bytes, size);
    hb_local_add(&scope->alone.allocations, 1);
}

/* Uncounts the free of a block the lone scope counted. */
static inline void hb_count_free_plainly(hb_scope *scope, size_t size) {
    hb_local_add(&scope->live_bytes, -(uint64_t)size);
    hb_local_add(&scope->alone.frees, 1);
}

/* ---- the entry points' common cases (fast_paths.c, entry_points.c) */

#if !HB_SANITIZED

/* The largest request whose block, header and guard included, mimalloc
 * serves from its small-block path (mi_malloc_small()). */
enum { HB_SMALL_PAYLOAD_MAX = MI_SMALL_SIZE_MAX - HB_BLOCK_HEADER - HB_BLOCK_GUARD };

/* The return address of the entry point this is inlined into. */
#define HB_CALLER ((uintptr_t)__builtin_return_address(0))

/* count * size, or false with errno ENOMEM if it overflows. */
static inline bool hb_array_bytes(size_t count, size_t size, size_t *bytes) {
    if (__builtin_mul_overflow(count, size, bytes)) {
        errno = ENOMEM;
        return false;
    }
    return true;
}

/* mimalloc's block `start`, with the header written, becomes the payload
 * the caller gets, counted in the plain scope. */
static inline __attribute__((always_inline)) void *hb_counted_plainly(hb_scope *plain, void *start,
                                                                      size_t size) {
    void *ptr = hb_blocks_payload(start);
    hb_count_alloc_plainly(plain, size);
    hb_blocks_insert((uintptr_t)ptr, size, plain->id, 0, 0);
    return ptr;
}

/* malloc() and calloc() beyond the plain scope's case (entry_points.c). */
void *hb_allocate_generally(size_t size, bool zeroed, uintptr_t caller);

/* May the free of this plain block skip the tracker?  Counted by no
 * scope; or by the lone one (uncounted here), or by one that has ended,
 * with no other thread to race with. */
static inline __attribute__((always_inline)) bool hb_frees_plainly(const hb_header *h) {
    uint64_t scope_id = h->scope_id;
    if (scope_id == 0)
        return true;
    hb_scope *lone = hb_alone_in(&hb_hot.lone_scope);
    if (lone == NULL)
        return false;
    if (lone->id <= scope_id)
        hb_count_free_plainly(lone, h->size);
    return true;
}

/* free() and its relatives.  The common case inline: a block whose header
 * and guard are whole, without a stack, that no scope counted or the lone
 * scope counted plainly, no quarantine; the rest through the tracker,
 * which also reports every memory error (and ignores NULL). */
static inline __attribute__((always_inline)) void
hb_release_quickly(void *ptr, const char *function, uintptr_t caller) {
    hb_header *h = hb_blocks_header_quickly((uintptr_t)ptr, true);
    if (h == NULL || !hb_frees_plainly(h)) {
        hb_track_free(ptr, function, caller);
        return;
    }
    h->seal = hb_freed_seal((uintptr_t)ptr);
    mi_free(h);
}

#endif

#endif
