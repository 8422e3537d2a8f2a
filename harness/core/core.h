/* core.h: the allocator core's contract with the layers above it (the
 * support helpers, the CUnit runner, the profiler's preload): what they
 * call, and nothing more.  What the core's modules tell one another is in
 * internal.h, which only the core includes.
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

#include "heapbook/counting.h" /* HB_SANITIZED, HB_SCOPE_MAX_DEPTH */

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ======================================================================
 * The harness's tunable sizes and its few compiler-specific spellings, in
 * one place. */

/* ---- sizes; each is a fixed table, since the harness never uses the heap
 * it measures for its own bookkeeping */

enum {
    /* Frames kept per call stack: far deeper than any report shows. */
    HB_STACK_MAX_FRAMES = 48,
    /* Threads counted at once with slots of their own; more share one. */
    HB_THREAD_SLOTS = 256,
    /* Scopes that may exist at once (open, or ended and not released). */
    HB_SCOPE_POOL = 64,
    /* Libraries whose own allocations are not counted (CUnit, ...). */
    HB_MAX_EXCLUDED = 16,
};

/* ---- compiler spellings (GCC and Clang) */

/* Thread-local state of the allocation path.  In a shared object (the
 * profiler's preload) initial-exec: the general-dynamic model may call
 * malloc on first access (through __tls_get_addr), which would recurse.
 * In an executable local-exec: one instruction per access instead of two. */
#if defined(__PIC__) && !defined(__PIE__)
#define HB_THREAD_LOCAL __thread __attribute__((tls_model("initial-exec")))
#else
#define HB_THREAD_LOCAL __thread __attribute__((tls_model("local-exec")))
#endif

/* Rare paths, kept out of line so the hot one stays small. */
#define HB_COLD __attribute__((noinline, cold))

/* `name` is another name for `target` (a function defined in the same
 * file).  GCC's copy() gives the alias the attributes glibc declares on
 * the target, which GCC otherwise warns are missing; Clang has no copy()
 * and does not warn. */
#if defined(__clang__)
#define HB_ALIAS(target) __attribute__((alias(#target)))
#else
#define HB_ALIAS(target) __attribute__((alias(#target), copy(target)))
#endif

/* What the sealed harness object keeps visible to the code it tests (the
 * API of heapbook.h, and malloc & co.): the harness is compiled with
 * -fvisibility=hidden, and everything not marked so is made local to it
 * (mk/harness.mk). */
#define HB_API __attribute__((visibility("default")))

/* ======================================================================
 * The guard: keeps the harness's own work out of the counts.
 *
 * While a thread is inside the harness (unwinding a stack, symbolizing,
 * formatting a report) every allocation it makes is forwarded to mimalloc
 * uncounted.  The flag is thread-local so other threads keep being
 * measured. */

extern HB_THREAD_LOCAL int hb_guard_depth;

static inline void hb_guard_enter(void) { hb_guard_depth++; }
static inline void hb_guard_leave(void) { hb_guard_depth--; }

/* sigaction() itself, for the harness's own handlers (trampolines.c wraps the
 * program's). */
struct sigaction;
int hb_sigaction(int signal, const struct sigaction *action, struct sigaction *old);

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

enum { HB_SPIN_BEFORE_YIELD = 64 }; /* pauses: a short wait, far below a time slice */

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
 * Pages: memory for the harness's own tables, straight from the kernel,
 * zero-filled, never counted anywhere.  Free with the same size.
 * hb_sys_mmap/munmap are the system calls themselves, not mmap(), which
 * the harness interposes (mappings.c): inline here, so that the profiler's
 * preload, which interposes nothing of the core's, has them with the stack
 * table (stacks.c) that lives in them. */

static inline void *hb_sys_mmap(void *address, size_t length, int protection, int flags, int fd,
                                off_t offset) {
    return (void *)syscall(SYS_mmap, address, length, protection, flags, fd, offset);
}

static inline int hb_sys_munmap(void *address, size_t length) {
    return (int)syscall(SYS_munmap, address, length);
}

static inline void *hb_pages_alloc(size_t bytes) {
    void *pages =
        hb_sys_mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return pages == MAP_FAILED ? NULL : pages;
}

static inline void hb_pages_free(void *pages, size_t bytes) {
    if (pages != NULL)
        hb_sys_munmap(pages, bytes);
}

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
 *                     ^ hb_blocks_allocation() (internal.h)
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

/* If a live block starts at `address`, copies its record into *found and
 * returns true.  Any other pointer returns false without touching memory
 * the process cannot read. */
bool hb_blocks_find(uintptr_t address, hb_block *found);

/* True if a block that started at `address` has been freed and its memory
 * not handed out again: a second free of it is a double free, however long
 * ago the first was. */
bool hb_blocks_was_freed(uintptr_t address);

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
 * test, the thread trampoline of trampolines.c for every thread the program starts. */
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

void hb_stacks_lock(void);
void hb_stacks_unlock(void);

/* ======================================================================
 * Memory errors (track.c).
 *
 * A memory error the core found.  It never passes a bad pointer on to
 * mimalloc, where it would corrupt the heap, and stops the program: it
 * calls the handler (support/report.c reports where the block came from
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

enum { HB_POISON = 0xDD }; /* a freed block's bytes: not 0, not a small number, not the guard's */

void hb_quarantine_enable(bool on);

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
 * Excluded code (track.c): allocations whose immediate caller lies in
 * an excluded library (CUnit's assertion records and registry) are not the
 * measured code's and count in no scope. */

/* Stops counting allocations whose immediate caller lies in the loaded
 * library whose file name contains `name` (e.g. "libcunit.so").  False if
 * no such library is loaded or `name` is empty: the program itself is never
 * excluded. */
bool hb_exclude_library(const char *name);

/* The code of the exported function that starts at `function`, from its
 * symbol's size: false if the dynamic linker knows no sized symbol there. */
bool hb_function_range(const void *function, hb_code_range *range);

/* Stops counting, in scopes with stacks, allocations made anywhere below
 * a call of the exported function `name` (glibc's caches: setlocale,
 * iconv_open, ...).  False if no such function is loaded. */
bool hb_suppress_function(const char *name);

/* The same for a call the C library makes from a function it does not
 * export, named by the return address a stack holds for it. */
bool hb_suppress_call_site(uintptr_t return_address);

/* The C library's definition of `name`, behind the executable's own (an
 * interposed pthread_create(), posix_spawn(), ...): dlsym(RTLD_NEXT),
 * under the guard.  Aborts if there is none: callers name functions
 * every glibc the harness supports has. */
void *hb_next_function(const char *name);

/* ======================================================================
 * Fault injection (fault.c), behind heapbook/counting.h's hb_fault_*. */

/* Armed for allocations whose immediate caller lies in one of `count`
 * address ranges (the functions hb_fault_fail_in() names, resolved by the
 * layer that can read symbols). */
void hb_fault_fail_in_ranges(const hb_code_range *ranges, size_t count);

/* Every allocation from now asks `decide(n, caller)` whether it fails, n
 * counting them from 1, `caller` the allocation's (runner/fault_each.c
 * makes each it chooses by its stack fail in a child of its own). */
typedef bool (*hb_fault_decider)(unsigned long n, uintptr_t caller);
void hb_fault_fail_each(hb_fault_decider decide);

/* The call stack (a stack id) of the last allocation made to fail. */
uint32_t hb_fault_last_failed_stack(void);

#endif
