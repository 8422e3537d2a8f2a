/* scope.c: measured scopes, the heart of the harness's accounting
 * (heapbook/counting.h; core.h: Scopes). */
#include "internal.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* How an allocation is counted, and what each step costs.
 *
 * The peak must be exact over every thread, so each scope keeps one shared
 * atomic count of live bytes: one locked addition per allocation and per
 * free, and a compare-and-swap only when the peak rises.  Nothing else is
 * shared.  Totals, allocation and free counts are kept per thread (in a
 * hb_thread_slot) with plain stores, and summed when the scope ends: exact
 * then, and up to date for the thread that reads them before.  While the
 * process has one thread they go to the scope itself (hb_scope.alone), so
 * the inline paths of internal.h need no slot.
 *
 * hb_scope_end() must not return while a thread is still counting into the
 * scope.  Each thread raises a flag in its own slot around its counting,
 * with a plain store and no fence; hb_scope_end() first makes every other
 * thread pass a full memory barrier with membarrier(2) (the asymmetric
 * fence of RCU), after which a thread either shows its flag or sees the
 * scope closed, then waits for the flags to drop.  Where membarrier is
 * missing the hot path pays a fence instead (fence_mode). */

/* Per-stack figures of one scope.  The "at peak" figures are filled lazily,
 * as memray's high-water-mark aggregator does: a site's value at the latest
 * peak is saved only when the site changes after that peak.  That keeps each
 * allocation O(1) however many sites there are. */
typedef struct hb_site_stats {
    size_t live_bytes;
    uint64_t live_blocks;
    size_t peak_bytes;
    uint64_t peak_blocks;
    uint64_t peak_generation; /* the scope peak these peak_* figures belong to */
    size_t allocated_bytes;
    uint64_t allocated_blocks;
} site_stats;

/* ---- threads' slots */

/* The module's state.  Scopes live in a fixed pool: beginning one must not
 * allocate. */
static struct {
    pthread_mutex_t pool_lock;
    hb_scope pool[HB_SCOPE_POOL];
    _Atomic uint64_t last_scope_id;
    /* Threads alive at once; more share the last slot. */
    hb_thread_slot slots[HB_THREAD_SLOTS + 1];
    _Atomic unsigned slots_used; /* slots ever claimed: the scans stop there */
    bool fence_mode;             /* membarrier(2) is missing: fence on the hot path */
} state = {.pool_lock = PTHREAD_MUTEX_INITIALIZER};

/* The allocation path's state (internal.h). */
hb_hot_state hb_hot;
HB_THREAD_LOCAL hb_thread_state hb_this_thread;

void hb_scopes_refresh(void) {
    hb_scope *lone = NULL;
    if (atomic_load(&hb_hot.scopes_open_depth) == 1 && atomic_load(&hb_hot.observer_count) == 0 &&
        !hb_hot.quarantine_on)
        lone = atomic_load(&hb_hot.scopes_open[0]);
    bool plain = lone != NULL && lone->options == HB_SCOPE_COUNTS_ONLY &&
                 atomic_load(&hb_hot.fault_armed) == 0;
    atomic_store(&hb_hot.lone_scope, lone);
    atomic_store(&hb_hot.plain_scope, plain ? lone : NULL);
}
static hb_thread_slot *const shared_slot = &state.slots[HB_THREAD_SLOTS];

static pid_t current_tid(void) { return (pid_t)syscall(SYS_gettid); }

static bool thread_alive(pid_t tid) {
    return syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH;
}

static bool take_slot(unsigned i, pid_t from, pid_t me) {
    if (!atomic_compare_exchange_strong(&state.slots[i].owner, &from, me))
        return false;
    unsigned used = atomic_load(&state.slots_used);
    while (used < i + 1 && !atomic_compare_exchange_weak(&state.slots_used, &used, i + 1)) {
    }
    return true;
}

/* A free slot, or one whose thread has exited (its counts stay and go on
 * adding up under the new owner); the shared one if all are taken.  Once
 * per thread: kept out of line, so that enter() stays a few instructions
 * inlined into every count instead of a call that saves six registers. */
__attribute__((noinline, cold)) static hb_thread_slot *claim_slot(void) {
    int saved_errno = errno; /* we are inside malloc: leave errno alone */
    pid_t me = current_tid();
    hb_thread_slot *slot = shared_slot;
    for (unsigned i = 0; i < HB_THREAD_SLOTS && slot == shared_slot; i++)
        if (atomic_load(&state.slots[i].owner) == 0 && take_slot(i, 0, me))
            slot = &state.slots[i];
    for (unsigned i = 0; i < HB_THREAD_SLOTS && slot == shared_slot; i++) {
        pid_t owner = atomic_load(&state.slots[i].owner);
        if (owner != me && !thread_alive(owner) && take_slot(i, owner, me))
            slot = &state.slots[i];
    }
    errno = saved_errno;
    return slot;
}

/* Announces that this thread is about to read the open scopes and count;
 * returns what leave() restores (a signal handler counting on this thread
 * in the middle of it must not lower the flag the interrupted count
 * raised).  While the process has one thread no other can end a scope
 * meanwhile: nothing to announce, no slot (the counts then go to the
 * scope's own, hb_scope.alone). */
typedef struct entered {
    hb_thread_slot *slot;
    unsigned was_inflight;
} entered;

static entered enter(void) {
    if (hb_single_threaded())
        return (entered){NULL, 0};
    hb_thread_slot *slot = hb_this_thread.slot;
    if (slot == NULL)
        slot = hb_this_thread.slot = claim_slot();
    if (slot == shared_slot) {
        atomic_fetch_add(&slot->inflight, 1); /* a full barrier itself */
        return (entered){slot, 0};
    }
    unsigned was = atomic_load_explicit(&slot->inflight, memory_order_relaxed);
    atomic_store_explicit(&slot->inflight, 1, memory_order_relaxed);
    if (state.fence_mode)
        atomic_thread_fence(memory_order_seq_cst);
    else /* hb_scope_end()'s membarrier stands in for the fence */
        atomic_signal_fence(memory_order_seq_cst);
    return (entered){slot, was};
}

static void leave(entered e) {
    if (e.slot == NULL)
        return;
    if (e.slot == shared_slot)
        atomic_fetch_sub(&e.slot->inflight, 1);
    else if (atomic_load_explicit(&e.slot->inflight, memory_order_relaxed) != e.was_inflight)
        atomic_store_explicit(&e.slot->inflight, e.was_inflight, memory_order_release);
}

/* The live bytes every thread shares, and the peak: one locked instruction
 * when there are threads, none while the process has one (`alone`). */
static inline uint64_t add_live(hb_scope *s, size_t size, bool alone) {
    if (!alone)
        return atomic_fetch_add_explicit(&s->live_bytes, size, memory_order_relaxed) + size;
    return hb_local_fetch_add(&s->live_bytes, size) + size;
}

static inline void subtract_live(hb_scope *s, size_t size, bool alone) {
    if (!alone)
        atomic_fetch_sub_explicit(&s->live_bytes, size, memory_order_relaxed);
    else
        hb_local_fetch_add(&s->live_bytes, -(uint64_t)size);
}

/* `slot` NULL: the scope's own counts, the process having one thread. */
static void add(hb_thread_slot *slot, _Atomic uint64_t *counter, uint64_t amount) {
    if (slot == shared_slot)
        atomic_fetch_add_explicit(counter, amount, memory_order_relaxed);
    else /* one writer: no locked instruction */
        hb_local_fetch_add(counter, amount);
}

static int membarrier(int command) { return (int)syscall(SYS_membarrier, command, 0, 0); }

/* Once, before the first scope is published. */
static void choose_fence_mode(void) {
    static bool chosen;
    if (chosen)
        return;
    chosen = true;
    int saved_errno = errno;
    state.fence_mode = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0;
    errno = saved_errno;
}

/* After this, every thread that had not seen the scope closed is shown in
 * its slot's flag; waits until none is. */
static void wait_for_counting_threads(void) {
    if (hb_single_threaded()) /* this thread is the only one */
        return;
    if (!state.fence_mode && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
        state.fence_mode = true; /* cannot happen once registered; from now on, fences */
    unsigned used = atomic_load(&state.slots_used);
    for (unsigned i = 0; i < used; i++)
        while (atomic_load_explicit(&state.slots[i].inflight, memory_order_acquire) != 0)
            sched_yield();
    while (atomic_load(&shared_slot->inflight) != 0)
        sched_yield();
}

/* A scope's counts, added up: its own (counted while the process had one
 * thread) and the threads' at its depth; with `reset`, those zeroed. */
static hb_depth_counts sum_counts(hb_scope *scope, bool reset) {
    uint64_t total = atomic_load_explicit(&scope->alone.total_bytes, memory_order_relaxed);
    uint64_t allocations = atomic_load_explicit(&scope->alone.allocations, memory_order_relaxed);
    uint64_t frees = atomic_load_explicit(&scope->alone.frees, memory_order_relaxed);
    unsigned used = atomic_load(&state.slots_used);
    for (unsigned i = 0; i <= HB_THREAD_SLOTS; i++) {
        if (i >= used && i != HB_THREAD_SLOTS)
            continue;
        hb_depth_counts *c = &state.slots[i].counts[scope->depth];
        total += atomic_load_explicit(&c->total_bytes, memory_order_relaxed);
        allocations += atomic_load_explicit(&c->allocations, memory_order_relaxed);
        frees += atomic_load_explicit(&c->frees, memory_order_relaxed);
        if (reset) {
            atomic_store(&c->total_bytes, 0);
            atomic_store(&c->allocations, 0);
            atomic_store(&c->frees, 0);
        }
    }
    hb_depth_counts sum;
    atomic_init(&sum.total_bytes, total);
    atomic_init(&sum.allocations, allocations);
    atomic_init(&sum.frees, frees);
    return sum;
}

void hb_scopes_forked_child(void) {
    /* Only this thread lives on: the other slots' owners are gone, and one
     * caught counting by the fork would leave its flag raised for ever. */
    unsigned used = atomic_load(&state.slots_used);
    for (unsigned i = 0; i < used; i++)
        if (&state.slots[i] != hb_this_thread.slot)
            atomic_store(&state.slots[i].inflight, 0);
    atomic_store(&shared_slot->inflight, 0);
    if (hb_this_thread.slot != NULL && hb_this_thread.slot != shared_slot)
        atomic_store(&hb_this_thread.slot->owner, current_tid());
}

/* ---- scopes */

hb_scope *hb_scope_begin(unsigned options) {
    pthread_mutex_lock(&state.pool_lock);
    choose_fence_mode();
    hb_scope *scope = NULL;
    unsigned depth = atomic_load(&hb_hot.scopes_open_depth);
    for (int i = 0; depth < HB_SCOPE_MAX_DEPTH && i < HB_SCOPE_POOL && scope == NULL; i++)
        if (!state.pool[i].in_use)
            scope = &state.pool[i];
    if (scope != NULL) {
        memset(scope, 0, sizeof *scope);
        scope->in_use = true;
        scope->open = true;
        scope->depth = depth;
        scope->options = options;
        scope->id = atomic_fetch_add(&state.last_scope_id, 1) + 1;
        atomic_store(&hb_hot.scopes_open[depth], scope);
        atomic_store(&hb_hot.scopes_open_depth, depth + 1); /* publishes the scope */
        hb_scopes_refresh();
    }
    pthread_mutex_unlock(&state.pool_lock);
    return scope;
}

bool hb_scope_end(hb_scope *scope) {
    pthread_mutex_lock(&state.pool_lock);
    unsigned depth = atomic_load(&hb_hot.scopes_open_depth);
    bool innermost = depth > 0 && atomic_load(&hb_hot.scopes_open[depth - 1]) == scope;
    if (innermost) {
        atomic_store(&hb_hot.scopes_open_depth, depth - 1);
        hb_scopes_refresh();
        wait_for_counting_threads();
        hb_depth_counts sum = sum_counts(scope, true);
        scope->total_bytes = atomic_load(&sum.total_bytes);
        scope->allocations = atomic_load(&sum.allocations);
        scope->frees = atomic_load(&sum.frees);
        scope->open = false;
    }
    pthread_mutex_unlock(&state.pool_lock);
    return innermost;
}

void hb_scope_release(hb_scope *scope) {
    if (scope == NULL)
        return;
    pthread_mutex_lock(&state.pool_lock);
    hb_pages_free(scope->sites, scope->site_capacity * sizeof *scope->sites);
    scope->sites = NULL;
    scope->in_use = false;
    pthread_mutex_unlock(&state.pool_lock);
}

hb_usage hb_scope_finish(hb_scope *scope) {
    hb_scope_end(scope);
    hb_usage usage = hb_scope_usage(scope);
    hb_scope_release(scope);
    return usage;
}

uint64_t hb_scope_id(const hb_scope *scope) { return scope->id; }

hb_usage hb_scope_usage(const hb_scope *scope) {
    hb_scope *s = (hb_scope *)scope; /* atomics are read, never changed */
    hb_usage usage = {
        .peak_bytes = atomic_load(&s->peak_bytes),
        .live_bytes = atomic_load(&s->live_bytes),
        .total_bytes = s->total_bytes,
        .allocations = s->allocations,
        .frees = s->frees,
        .mapped_peak_bytes = atomic_load(&s->mapped_peak_bytes),
    };
    if (s->open) { /* still counting: what the threads have counted so far */
        hb_depth_counts sum = sum_counts(s, false);
        usage.total_bytes = atomic_load(&sum.total_bytes);
        usage.allocations = atomic_load(&sum.allocations);
        usage.frees = atomic_load(&sum.frees);
    }
    /* Another thread's counts may lag its frees while the scope is open. */
    usage.live_blocks = usage.allocations > usage.frees ? usage.allocations - usage.frees : 0;
    return usage;
}

/* The scope open at depth `i` (below hb_hot.scopes_open_depth, read with
 * acquire first). */
static inline hb_scope *open_scope(unsigned i) {
    return atomic_load_explicit(&hb_hot.scopes_open[i], memory_order_relaxed);
}

static bool wants_stacks(unsigned depth) {
    for (unsigned i = 0; i < depth; i++)
        if (open_scope(i)->options & HB_SCOPE_STACKS)
            return true;
    return false;
}

/* The table grown to hold `stack_id`: rare, out of line. */
HB_COLD static bool grow_sites(hb_scope *scope, uint32_t stack_id) {
    size_t capacity = scope->site_capacity ? scope->site_capacity : 1024;
    while (capacity <= stack_id)
        capacity *= 2;
    site_stats *grown = hb_pages_alloc(capacity * sizeof *grown);
    if (grown == NULL)
        return false;
    if (scope->sites != NULL)
        memcpy(grown, scope->sites, scope->site_capacity * sizeof *grown);
    hb_pages_free(scope->sites, scope->site_capacity * sizeof *grown);
    scope->sites = grown;
    scope->site_capacity = capacity;
    return true;
}

static inline site_stats *site_of(hb_scope *scope, uint32_t stack_id) {
    if (stack_id >= scope->site_capacity && !grow_sites(scope, stack_id))
        return NULL;
    return &scope->sites[stack_id];
}

/* `sign` is +1 for an allocation, -1 for a free; `alone`: the process has
 * one thread (no lock to take). */
static inline void count_site(hb_scope *scope, uint32_t stack_id, size_t size, int sign,
                              bool alone) {
    if (!(scope->options & HB_SCOPE_STACKS) || (scope->options & HB_SCOPE_NO_SITES) ||
        stack_id == 0)
        return;
    if (!alone)
        hb_spin_lock(&scope->sites_lock);
    site_stats *site = site_of(scope, stack_id);
    if (site != NULL) {
        if (site->peak_generation != scope->peak_generation) {
            site->peak_bytes = site->live_bytes;
            site->peak_blocks = site->live_blocks;
            site->peak_generation = scope->peak_generation;
        }
        if (sign > 0) {
            site->live_bytes += size;
            site->live_blocks++;
            site->allocated_bytes += size;
            site->allocated_blocks++;
            scope->sites_live_bytes += size;
            if (scope->sites_live_bytes > scope->sites_peak_bytes) {
                scope->sites_peak_bytes = scope->sites_live_bytes;
                scope->peak_generation++;
            }
        } else {
            site->live_bytes -= size;
            site->live_blocks--;
            scope->sites_live_bytes -= size;
        }
    }
    if (!alone)
        hb_spin_unlock(&scope->sites_lock);
}

void hb_scope_raise_peak(hb_scope *scope, uint64_t live) {
    uint64_t peak = atomic_load_explicit(&scope->peak_bytes, memory_order_relaxed);
    if (hb_single_threaded()) {
        while (live > peak && !hb_local_compare_exchange(&scope->peak_bytes, &peak, live)) {
        }
        return;
    }
    while (live > peak && !atomic_compare_exchange_weak(&scope->peak_bytes, &peak, live)) {
    }
}

/* Copies the open scopes; returns how many. */
static unsigned snapshot(hb_scope *scopes[HB_SCOPE_MAX_DEPTH]) {
    unsigned depth = atomic_load_explicit(&hb_hot.scopes_open_depth, memory_order_acquire);
    for (unsigned i = 0; i < depth; i++)
        scopes[i] = atomic_load_explicit(&hb_hot.scopes_open[i], memory_order_relaxed);
    return depth;
}

/* The stack of a new block, if a scope wants it; false if a frame says
 * the block is glibc's cache (hb_suppress_function). */
static bool take_stack(hb_block *block, bool wanted, uintptr_t caller, const void *frame) {
    bool suppressed = false;
    if (wanted && !hb_counting_plainly())
        block->stack_id = hb_stacks_capture_from(frame, caller, &suppressed);
    if (suppressed)
        block->stack_id = 0;
    return !suppressed;
}

/* hb_scopes_count_alloc() and _free() count in one of two ways: by the
 * process's only thread (`alone`: no slot, no lock, no announcement), or
 * by one of several, in the slot enter() gave it.  Each is compiled apart
 * (`alone` a constant in it), without the other's tests. */
static inline __attribute__((always_inline)) void
count_alloc_in_open_scopes(hb_block *block, uintptr_t caller, const void *frame,
                           hb_thread_slot *slot, bool alone) {
    unsigned depth = atomic_load_explicit(&hb_hot.scopes_open_depth, memory_order_acquire);
    if (depth > 0 && take_stack(block, wants_stacks(depth), caller, frame)) {
        block->scope_id = open_scope(depth - 1)->id;
        for (unsigned i = 0; i < depth; i++) {
            hb_scope *s = open_scope(i);
            size_t live = add_live(s, block->size, alone);
            if (live > atomic_load_explicit(&s->peak_bytes, memory_order_relaxed))
                hb_scope_raise_peak(s, live);
            hb_depth_counts *counts = slot == NULL ? &s->alone : &slot->counts[i];
            add(slot, &counts->total_bytes, block->size);
            add(slot, &counts->allocations, 1);
            count_site(s, block->stack_id, block->size, +1, alone);
        }
    }
}

void hb_scopes_count_alloc(hb_block *block, uintptr_t caller, const void *frame) {
    block->scope_id = 0;
    block->stack_id = 0;
    if (!hb_scopes_any_open())
        return;
    if (hb_single_threaded()) {
        count_alloc_in_open_scopes(block, caller, frame, NULL, true);
        return;
    }
    entered e = enter();
    count_alloc_in_open_scopes(block, caller, frame, e.slot, e.slot == NULL);
    leave(e);
}

static inline __attribute__((always_inline)) void
count_free_in_open_scopes(const hb_block *block, hb_thread_slot *slot, bool alone) {
    unsigned depth = atomic_load_explicit(&hb_hot.scopes_open_depth, memory_order_acquire);
    /* A scope counted the allocation iff it was open then: it began no later
     * than the innermost scope of that moment, and is still open now. */
    for (unsigned i = 0; i < depth && open_scope(i)->id <= block->scope_id; i++) {
        hb_scope *s = open_scope(i);
        subtract_live(s, block->size, alone);
        add(slot, slot == NULL ? &s->alone.frees : &slot->counts[i].frees, 1);
        if (!hb_counting_plainly())
            count_site(s, block->stack_id, block->size, -1, alone);
    }
}

void hb_scopes_count_free(const hb_block *block) {
    if (block->scope_id == 0 || !hb_scopes_any_open())
        return;
    if (hb_single_threaded()) {
        count_free_in_open_scopes(block, NULL, true);
        return;
    }
    entered e = enter();
    count_free_in_open_scopes(block, e.slot, e.slot == NULL);
    leave(e);
}

static bool ranks_above(const hb_site *a, const hb_site *b, enum hb_site_view view) {
    uint64_t ka = view == HB_SITES_ALLOCATED ? a->blocks : a->bytes;
    uint64_t kb = view == HB_SITES_ALLOCATED ? b->blocks : b->bytes;
    return ka != kb ? ka > kb : a->stack_id < b->stack_id;
}

static hb_site site_in_view(const hb_scope *scope, uint32_t id, enum hb_site_view view) {
    const site_stats *s = &scope->sites[id];
    hb_site site = {.stack_id = id};
    switch (view) {
    case HB_SITES_AT_PEAK: {
        bool saved = s->peak_generation == scope->peak_generation;
        site.bytes = saved ? s->peak_bytes : s->live_bytes;
        site.blocks = saved ? s->peak_blocks : s->live_blocks;
        break;
    }
    case HB_SITES_LIVE:
        site.bytes = s->live_bytes;
        site.blocks = s->live_blocks;
        break;
    case HB_SITES_ALLOCATED:
        site.bytes = s->allocated_bytes;
        site.blocks = s->allocated_blocks;
        break;
    }
    return site;
}

size_t hb_scope_sites(const hb_scope *scope, enum hb_site_view view, hb_site *sites, size_t max) {
    hb_scope *s = (hb_scope *)scope; /* only the lock is taken */
    hb_spin_lock(&s->sites_lock);
    size_t found = 0, kept = 0;
    for (uint32_t id = 1; id < scope->site_capacity; id++) {
        hb_site site = site_in_view(scope, id, view);
        if (site.blocks == 0 && site.bytes == 0)
            continue;
        found++;
        /* Keep the top `max` by insertion: no allocation, and `max` is small. */
        size_t at = kept;
        while (at > 0 && ranks_above(&site, &sites[at - 1], view)) {
            if (at < max)
                sites[at] = sites[at - 1];
            at--;
        }
        if (at < max) {
            sites[at] = site;
            if (kept < max)
                kept++;
        }
    }
    hb_spin_unlock(&s->sites_lock);
    return found;
}

void hb_scopes_lock_all(void) {
    pthread_mutex_lock(&state.pool_lock);
    for (int i = 0; i < HB_SCOPE_POOL; i++)
        if (state.pool[i].in_use)
            hb_spin_lock(&state.pool[i].sites_lock);
}

void hb_scopes_unlock_all(void) {
    for (int i = HB_SCOPE_POOL - 1; i >= 0; i--)
        if (state.pool[i].in_use)
            hb_spin_unlock(&state.pool[i].sites_lock);
    pthread_mutex_unlock(&state.pool_lock);
}

void hb_scopes_count_mapped_file(uint64_t scope_id, size_t bytes, bool mapped) {
    hb_scope *scopes[HB_SCOPE_MAX_DEPTH];
    unsigned depth = snapshot(scopes);
    for (unsigned i = 0; i < depth && scopes[i]->id <= scope_id; i++) {
        hb_scope *s = scopes[i];
        if (!mapped) {
            atomic_fetch_sub(&s->mapped_live_bytes, bytes);
            continue;
        }
        size_t live = atomic_fetch_add(&s->mapped_live_bytes, bytes) + bytes;
        size_t peak = atomic_load(&s->mapped_peak_bytes);
        while (live > peak && !atomic_compare_exchange_weak(&s->mapped_peak_bytes, &peak, live)) {
        }
    }
}

uint64_t hb_scopes_innermost_id(void) {
    hb_scope *scopes[HB_SCOPE_MAX_DEPTH];
    unsigned depth = snapshot(scopes);
    return depth > 0 ? scopes[depth - 1]->id : 0;
}
