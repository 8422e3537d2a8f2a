/* core.h: the allocator core's contract with the layers above it (the
 * support helpers, the CUnit runner, the profiler's preload).
 *
 * The core interposes every allocation entry point (entry_points.c), keeps
 * a sealed header before each block (blocks.c), counts blocks in measured
 * scopes (scope.c) with their call stacks (stacks.c), and tells observers
 * of every counted allocation and free (track.c).  It knows nothing of
 * reports, text or CUnit: a bad free is handed to a handler the layer above
 * sets, and what the report says is that layer's business.
 *
 * Nothing here allocates from the heap it measures: tables live in pages
 * from mmap, and whatever a library allocates for the core (libunwind)
 * runs under the guard, uncounted. */
#ifndef HB_CORE_H
#define HB_CORE_H

#include "config.h"

#include "heapbook/counting.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>

/* ======================================================================
 * The guard: keeps the harness's own work out of the counts.
 *
 * While a thread is inside the harness (unwinding a stack, symbolizing,
 * formatting a report) every allocation it makes is forwarded to mimalloc
 * uncounted.  The flag is thread-local so other threads keep being
 * measured. */

extern HB_THREAD_LOCAL int hb_guard_depth;

static inline bool hb_guard_active(void) { return hb_guard_depth > 0; }
static inline void hb_guard_enter(void) { hb_guard_depth++; }
static inline void hb_guard_leave(void) { hb_guard_depth--; }

/* A signal handler of the program's that interrupted the harness's own
 * work (signals.c) finds the guard up, yet what it allocates is the
 * program's: the guard's depth it found is kept here (0 outside such a
 * handler), and its allocations count at that depth.  They count plainly
 * (hb_counting_plainly): no stack, no sites, no observer, no quarantine,
 * whose tables the interrupted work may be halfway through changing. */
extern HB_THREAD_LOCAL int hb_interrupted_guard;

static inline bool hb_guard_lets_count(void) { return hb_guard_depth == hb_interrupted_guard; }
static inline bool hb_counting_plainly(void) { return hb_interrupted_guard != 0; }

/* sigaction() itself, for the harness's own handlers (signals.c wraps the
 * program's). */
struct sigaction;
int hb_sigaction(int signal, const struct sigaction *action, struct sigaction *old);
extern int __sigaction(int signal, const struct sigaction *action, struct sigaction *old);

/* ======================================================================
 * The spinlock of the hot path (the stack table, the scopes' site figures,
 * the misuse ring, the profiler's writer).
 *
 * Why not pthread_mutex_t: an allocation or a free may take one of these
 * locks, almost always uncontended and for a few dozen instructions.  A
 * glibc mutex costs two calls and two locked instructions per lock and
 * unlock; this costs one exchange and one plain store, inline.
 *
 * Why it still yields: on two cores a holder can be preempted, and a waiter
 * that only spun would burn its whole time slice.  After a short spin the
 * waiter calls sched_yield(), so the holder gets the core back.
 *
 * While the process has one thread (glibc's __libc_single_threaded, true
 * until the first pthread_create and never set back), no other thread can
 * take the lock, so taking it is skipped: a single-threaded test pays no
 * locked instruction at all, as glibc's own malloc does.  Unlocking always
 * stores, so a lock taken before a fork is released in the child.
 *
 * Not re-entrant, no owner, no fairness: hold it for a few lines, never
 * across a call that may allocate or block. */

/* True while no second thread was ever started: no one to race with. */
static inline bool hb_single_threaded(void) { return __libc_single_threaded; }

typedef struct hb_spinlock {
    atomic_uchar held;
} hb_spinlock;

#define HB_SPINLOCK_INIT                                                                           \
    { 0 }

enum { HB_SPIN_BEFORE_YIELD = 64 }; /* pauses, about a microsecond */

/* Tells the core this is a wait loop (saves power, and the other hardware
 * thread of the core runs faster). */
static inline void hb_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline void hb_spin_lock(hb_spinlock *lock) {
    if (hb_single_threaded())
        return;
    while (atomic_exchange_explicit(&lock->held, 1, memory_order_acquire)) {
        /* Wait on a plain load, so the cache line stays shared while held. */
        for (unsigned spins = 0; atomic_load_explicit(&lock->held, memory_order_relaxed);) {
            if (++spins < HB_SPIN_BEFORE_YIELD) {
                hb_spin_pause();
            } else {
                sched_yield();
                spins = 0;
            }
        }
    }
}

static inline void hb_spin_unlock(hb_spinlock *lock) {
    atomic_store_explicit(&lock->held, 0, memory_order_release);
}

/* ======================================================================
 * A thread's own counters, updated so that a signal handler running on
 * the same thread (signals.c) cannot come between a counter's read and its
 * write and lose an update: one instruction each on x86-64 (no lock
 * prefix: no other thread writes them), an atomic operation elsewhere. */

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

/* ======================================================================
 * Pages (pages.c): memory for the harness's own tables, straight from the
 * kernel, zero-filled, never counted anywhere.  Free with the same size.
 * hb_sys_mmap/munmap are the system calls themselves, not mmap(), which
 * the harness interposes (mappings.c). */

void *hb_pages_alloc(size_t bytes);
void hb_pages_free(void *pages, size_t bytes);
void *hb_sys_mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset);
int hb_sys_munmap(void *address, size_t length);

/* ======================================================================
 * Blocks: what the harness knows about each live heap block (blocks.c).
 *
 * The allocator is asked only for memory; what the code *requested* is
 * kept in a header in front of the block it gets: its size, the call stack
 * that made it, the innermost measured scope that counted it, and a seal
 * that says the header is one the harness wrote for a block still live.
 * Every block the process allocates has one, inside a scope or not, so a
 * free can always be matched to its allocation.
 *
 *   mimalloc's block: [ header | the caller's `size` bytes | guard ]
 *                     ^ hb_blocks_allocation()
 *                              ^ ptr, what malloc returns
 *
 * The guard, HB_BLOCK_GUARD bytes of a known pattern just past the bytes
 * requested, catches a write past the end (an off-by-one, a buffer grown
 * too little): it is checked when the block is freed or reallocated, and
 * for every block still live when a test ends (hb_blocks_check_live).
 * malloc_usable_size() says `size`: the guard is not the caller's to use.
 *
 * A header, not a table keyed by address: recording a block writes the
 * cache line the allocator has just handed out, where a table took a lock
 * and a cache miss of its own per malloc and per free (docs/performance.md).
 * Only the thread that owns a block touches its header, so nothing here
 * takes a lock. */

/* A multiple of 16, so the caller's pointer keeps the alignment of the
 * block mimalloc returned. */
enum { HB_BLOCK_HEADER = 32 };

/* Wide enough for the common overflows (one element too many, a string's
 * terminator, a capacity doubled from 0); a write that skips further is
 * make memcheck's to find. */
enum { HB_BLOCK_GUARD = 16 };

typedef struct hb_block {
    uintptr_t address; /* what the caller got: the header lies just before */
    size_t size;       /* bytes requested, not bytes the allocator gave */
    uint64_t scope_id; /* innermost scope that counted it, 0 if none */
    uint32_t stack_id; /* stack id of the allocating stack, 0 if none */
    /* 0: mimalloc's block starts with the header.  Otherwise it starts
     * 2^gap_shift bytes before `address`: an alignment too large for
     * mimalloc to leave room for the header before (entry_points.c). */
    uint32_t gap_shift;
} hb_block;

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

/* If a live block starts at `address`, copies its record into *found and
 * returns true.  Any other pointer returns false without touching memory
 * the process cannot read. */
bool hb_blocks_find(uintptr_t address, hb_block *found);

/* hb_blocks_find(), then seals the header freed: the same pointer is no
 * longer a live block.  Returns hb_blocks_allocation() of the block (what
 * mi_free() takes), or NULL if no live block starts at `address`. */
void *hb_blocks_remove(uintptr_t address, hb_block *removed);

/* True if a block that started at `address` has been freed and its memory
 * not handed out again: a second free of it is a double free, however long
 * ago the first was. */
bool hb_blocks_was_freed(uintptr_t address);

/* How many bytes past the end of `block` were written, judged by its
 * guard: 0 if it is intact; HB_BLOCK_GUARD if all of it changed. */
size_t hb_blocks_overflow(const hb_block *block);

/* Checks the guard of every live block of this thread's heap that a scope
 * with an id of `first_scope_id` or later counted; a damaged one is
 * reported (hb_track_memory_error), which does not return. */
void hb_blocks_check_live(uint64_t first_scope_id);

/* Calls `visit` for each live block of this thread's heap that a scope
 * `first_scope_id` or later counted (fault injection's normal run: which
 * of them a global reaches).  Nothing under the sanitizers. */
void hb_blocks_visit_live(uint64_t first_scope_id, void (*visit)(const hb_block *block, void *arg),
                          void *arg);

/* The call stacks of the live blocks of this thread's heap that a scope
 * with an id of `first_scope_id` or later counted, except those at the
 * `kept` addresses: a site per distinct stack, its bytes and blocks, into
 * `sites` (up to `max`), the biggest first.  Returns how many sites there
 * are in all.  Blocks other threads allocated live in their heaps: not
 * seen here.  For a leak's report: the figures themselves are the
 * scope's. */
struct hb_site;
size_t hb_blocks_live_sites(uint64_t first_scope_id, const uintptr_t *kept, size_t kept_count,
                            struct hb_site *sites, size_t max);

/* ======================================================================
 * Scopes: the accounting behind heapbook/counting.h (scope.c). */

/* How many scopes are open; written by hb_scope_begin() and _end() only. */
extern _Atomic unsigned hb_scopes_open_depth;

/* Is anything measured?  Inline: the tracker asks at every allocation, and
 * skips the rest of its work when nothing is.  (Acquire: what a scope
 * sets up before it is published is visible once it is seen open.) */
static inline bool hb_scopes_any_open(void) {
    return atomic_load_explicit(&hb_scopes_open_depth, memory_order_acquire) != 0;
}

/* Counts a new block in every open scope, and fills block->scope_id and
 * block->stack_id.  `caller` is the entry point's return address, `frame`
 * where its stack's walk starts (hb_stacks_capture_from). */
void hb_scopes_count_alloc(hb_block *block, uintptr_t caller, const void *frame);

/* Counts the free of `block` in the open scopes that counted its allocation. */
void hb_scopes_count_free(const hb_block *block);

/* With HB_SCOPE_STACKS a scope also keeps per-call-stack figures, so a
 * report can name the sites responsible. */
enum hb_site_view {
    HB_SITES_AT_PEAK,   /* bytes each stack had live at the moment of the peak */
    HB_SITES_LIVE,      /* bytes still live (after the end: leaked) */
    HB_SITES_ALLOCATED, /* every allocation made, ranked by count */
};

typedef struct hb_site {
    uint32_t stack_id; /* see hb_stacks_frames() */
    size_t bytes;
    uint64_t blocks;
} hb_site;

/* Writes the biggest `max` sites of `view` into `sites`, largest first (by
 * bytes, or by blocks for HB_SITES_ALLOCATED; ties by stack id), and returns
 * how many sites have a non-zero figure in all.  A scope without
 * HB_SCOPE_STACKS has no sites. */
size_t hb_scope_sites(const hb_scope *scope, enum hb_site_view view, hb_site *sites, size_t max);

/* The scope's id: blocks it counted carry it, or a later one (a scope
 * nested in it). */
uint64_t hb_scope_id(const hb_scope *scope);

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

/* ======================================================================
 * Stacks: captured call stacks, each distinct one stored once (stacks.c).
 *
 * A stack is the list of return addresses from the code that called the
 * allocator outwards: in a test binary walked by frame pointers, else
 * unwound with libunwind (which reads the .eh_frame tables, so it works
 * without frame pointers, also through libc).  Equal
 * stacks share one id, so a million allocations from one loop cost one
 * entry.  Ids are dense, starting at 1; 0 means "no stack". */

/* Captures the current stack starting at the frame that returns to `caller`
 * (the return address of the allocator entry point), so the allocator's own
 * frames are left out.  Returns the stack's id, or 0 if it cannot be stored. */
uint32_t hb_stacks_capture(uintptr_t caller);

/* The same, and whether a frame of the stack lies in a suppressed function
 * (hb_suppress_function): worked out once per distinct stack.  The walk
 * by frame pointers starts at `frame`, a frame of the harness's own
 * between here and the caller's (the nearer, the fewer to pass:
 * __builtin_frame_address(0) of the function an entry point called). */
uint32_t hb_stacks_capture_from(const void *frame, uintptr_t caller, bool *suppressed);

/* Asks `classify` of every stack stored from now on whether it is to be
 * suppressed (exclusion.c: glibc's caches), once per distinct stack; the
 * answer comes back from hb_stacks_capture_from().  Without one, none is. */
typedef bool (*hb_stack_classifier)(const uintptr_t *frames, size_t depth);
void hb_stacks_classify_with(hb_stack_classifier classify);

/* Stacks are walked by frame pointers from now on where the caller is the
 * executable's code: every function of the executable keeps one (a test
 * binary; never in the profiler's preload, which measures any program).
 * Otherwise, and wherever that walk fails, libunwind walks them. */
void hb_stacks_trust_frame_pointers(void);

/* The bounds of this thread's stack ([low, high): it grows down from
 * high), or zeros if glibc cannot say.  Cached per thread; the first call
 * may allocate (for the main thread glibc reads /proc/self/maps): make it
 * under the guard. */
typedef struct hb_stack_bounds {
    uintptr_t low, high;
} hb_stack_bounds;
hb_stack_bounds hb_stacks_this_thread(void);

/* What hb_stacks_this_thread() found for this thread, or zeros if it was
 * never asked here: safe in a signal handler (the fault handler's check
 * for a stack overflow).  The runner asks for the main thread's before a
 * test, the trampoline of threads.c for every thread the program starts. */
hb_stack_bounds hb_stacks_known(void);

/* How many stacks were walked each way (the harness's tests check that a
 * test binary's are walked by frame pointers). */
typedef struct hb_stack_walks {
    uint64_t by_frame_pointers, unwound;
} hb_stack_walks;
hb_stack_walks hb_stacks_walks(void);

/* Copies up to HB_STACK_MAX_FRAMES frames of stack `id` into `frames`,
 * innermost first; returns how many.  Unknown ids give 0. */
size_t hb_stacks_frames(uint32_t id, uintptr_t frames[HB_STACK_MAX_FRAMES]);

/* The highest id handed out so far. */
uint32_t hb_stacks_count(void);

void hb_stacks_lock(void);
void hb_stacks_unlock(void);

/* ======================================================================
 * The tracker: what happens to each allocation, between the entry points
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
 * (support/misuse.c) and the profiler's recorder.  `caller` is the
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

/* A memory error the core found.  It never passes a bad pointer on to
 * mimalloc, where it would corrupt the heap, and stops the program: it
 * calls the handler (support/misuse.c reports where the block came from
 * and where it was freed), which must not return; without one, a line on
 * stderr and abort(). */
enum hb_memory_error_kind {
    HB_BAD_FREE,         /* free() or realloc() of a pointer that is not a live block */
    HB_OVERFLOW,         /* bytes written past the end of a block (its guard) */
    HB_WRITE_AFTER_FREE, /* bytes of a freed block changed (its poison) */
    HB_HIDDEN_MEMORY,    /* memory from the kernel no scope can count (sbrk) */
};

typedef struct hb_memory_error {
    enum hb_memory_error_kind kind;
    const char *function; /* the call that found it: "free", "realloc", ... */
    void *ptr;            /* what that call was given */
    uintptr_t caller;     /* its return address; 0: found when a test ended */
    hb_block block;       /* the block (overflow, write after free) */
    uint32_t freed_at;    /* the stack of its free (write after free) */
    size_t bytes;         /* bytes past the end, or bytes changed */
} hb_memory_error;

typedef void (*hb_memory_error_handler)(const hb_memory_error *error);
void hb_track_on_memory_error(hb_memory_error_handler handler);
_Noreturn void hb_track_memory_error(const hb_memory_error *error);

/* The bad-pointer case of hb_track_memory_error(), for the entry points. */
_Noreturn void hb_track_bad_free(const char *function, void *ptr, uintptr_t caller);

/* Gives a block just freed back to mimalloc, or to the quarantine when
 * it is on and takes it (entry_points.c: the one place that calls
 * mimalloc). */
void hb_release(const hb_block *block, void *allocation, uintptr_t caller);

/* mi_free(), for the quarantine. */
void hb_release_now(void *allocation);

/* ======================================================================
 * The quarantine (quarantine.c): freed blocks held back a while, their
 * first bytes poisoned, so a write through a pointer kept after free() is
 * found when the block leaves the quarantine, or when the test ends,
 * instead of landing silently in a block handed out again.  Off until
 * turned on (the test runner does; the profiler does not); only blocks a
 * scope counted go in.  It also remembers, by address, where the blocks
 * freed there were allocated and freed, long after they left the ring
 * (a bounded history in its own pages): what a double free's report
 * says. */

enum {
    HB_POISON = 0xDD, /* a freed block's bytes: not 0, not a small number, not the guard's */
    HB_QUARANTINE_BLOCKS = 1024,           /* held at once, at most */
    HB_QUARANTINE_BYTES = 4 * 1024 * 1024, /* and in all, at most */
    HB_QUARANTINE_POISONED = 4096,         /* bytes poisoned per block */
};

void hb_quarantine_enable(bool on);

/* Takes a freed block (its stack of free captured here); false if the
 * quarantine is off or will not hold it (then the caller frees it).
 * `whole`: every byte of it poisoned and checked, not only the first
 * HB_QUARANTINE_POISONED (a block realloc moved away from: a pointer kept
 * into an array may point anywhere in it, and realloc's copy already
 * costs as much). */
bool hb_quarantine_keep(const hb_block *block, void *allocation, uintptr_t caller, bool whole);

/* What the quarantine remembers of blocks freed at one address from one
 * place: where allocated (block.stack_id) and freed (freed_at), the last
 * of them (block), and how many (count). */
typedef struct hb_freed_block {
    hb_block block;
    uint32_t freed_at; /* stack id */
    uint32_t count;
} hb_freed_block;

enum { HB_FREED_HISTORY_MAX = 8 }; /* places remembered per address, at most */

/* The blocks freed at `address` that the history still remembers, one
 * record per pair of places, oldest first (the slot's latest user last):
 * how many were written to `found`.  *forgotten is true if older records
 * of this address were dropped for newer ones (it was freed there long
 * ago, and the slot reused since). */
size_t hb_quarantine_history(uintptr_t address, hb_freed_block found[HB_FREED_HISTORY_MAX],
                             bool *forgotten);

/* Checks and releases every block held: at the end of a test. */
void hb_quarantine_flush(void);

/* A span of code: [start, end). */
typedef struct hb_code_range {
    uintptr_t start, end;
} hb_code_range;

/* ======================================================================
 * Excluded code (exclusion.c): allocations whose immediate caller lies in
 * an excluded library (CUnit's assertion records and registry) are not the
 * measured code's and count in no scope. */

/* Stops counting allocations whose immediate caller lies in the loaded
 * library whose file name contains `name` (e.g. "libcunit.so").  False if
 * no such library is loaded or `name` is empty: the program itself is never
 * excluded. */
bool hb_exclude_library(const char *name);

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

/* Stops counting, in scopes with stacks, allocations made anywhere below
 * a call of the exported function `name` (glibc's caches: setlocale,
 * iconv_open, ...).  False if no such function is loaded. */
bool hb_suppress_function(const char *name);

/* True if one of the frames lies in a suppressed function. */
bool hb_in_suppressed_function(const uintptr_t *frames, size_t depth);

/* The C library's definition of `name`, behind the executable's own (an
 * interposed pthread_create(), posix_spawn(), ...): dlsym(RTLD_NEXT),
 * under the guard.  Aborts if there is none: callers name functions
 * every glibc the harness supports has. */
void *hb_next_function(const char *name);

/* ======================================================================
 * Threads (threads.c): every thread the program starts runs through a
 * trampoline that gives it a signal stack of its own (so a fault report
 * can run on it when its stack overflows) and looks up its stack's bounds
 * (hb_stacks_known), and its stack counts as a block while a scope that
 * was open at its start is open, until it is joined or ends detached. */

/* ======================================================================
 * Fault injection (fault.c), behind heapbook/counting.h's hb_fault_*. */

/* Armed for allocations whose immediate caller lies in one of `count`
 * address ranges (the functions hb_fault_fail_in() names, resolved by the
 * layer that can read symbols). */
void hb_fault_fail_in_ranges(const hb_code_range *ranges, size_t count);

/* Every allocation from now asks `decide(n)` whether it fails, n counting
 * them from 1 (runner/fault_each.c makes each fail in a child of its own). */
typedef bool (*hb_fault_decider)(unsigned long n);
void hb_fault_fail_each(hb_fault_decider decide);

/* For the entry points: should the allocation whose caller is `caller`
 * fail? */
bool hb_fault_should_fail(uintptr_t caller);

/* The call stack (a stack id) of the last allocation made to fail. */
uint32_t hb_fault_last_failed_stack(void);

#endif
