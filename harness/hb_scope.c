#include "hb_scope.h"

#include "hb_pages.h"
#include "hb_stacks.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

/* Per-stack figures of one scope.  The "at peak" figures are filled lazily,
 * as memray's high-water-mark aggregator does: a site's value at the latest
 * peak is saved only when the site changes after that peak.  That keeps each
 * allocation O(1) however many sites there are. */
typedef struct site_stats {
    size_t live_bytes;
    uint64_t live_blocks;
    size_t peak_bytes;
    uint64_t peak_blocks;
    uint64_t peak_generation; /* the scope peak these peak_* figures belong to */
    size_t allocated_bytes;
    uint64_t allocated_blocks;
} site_stats;

struct hb_scope {
    bool in_use;
    unsigned options;
    uint64_t id; /* increases with every scope begun; never 0 */

    _Atomic size_t live_bytes;
    _Atomic size_t peak_bytes;
    _Atomic size_t total_bytes;
    _Atomic uint64_t allocations;
    _Atomic uint64_t frees;
    _Atomic uint64_t live_blocks;

    pthread_mutex_t sites_lock; /* guards everything below */
    site_stats *sites;          /* indexed by stack id */
    size_t site_capacity;
    size_t sites_live_bytes; /* the same as live_bytes, under sites_lock */
    size_t sites_peak_bytes;
    uint64_t peak_generation;
};

/* Scopes live in a fixed pool: beginning one must not allocate. */
enum { POOL_SIZE = 64 };
static hb_scope pool[POOL_SIZE];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

/* The open scopes, outermost first.  An allocating thread announces itself in
 * `inflight` before it reads them; hb_scope_end() waits until no thread is in
 * flight, so no thread can still be counting into a scope that has ended. */
static hb_scope *_Atomic open_scopes[HB_SCOPE_MAX_DEPTH];
static _Atomic unsigned open_depth;
static _Atomic unsigned inflight;
static _Atomic uint64_t last_scope_id;

hb_scope *hb_scope_begin(unsigned options) {
    pthread_mutex_lock(&pool_lock);
    hb_scope *scope = NULL;
    unsigned depth = atomic_load(&open_depth);
    for (int i = 0; depth < HB_SCOPE_MAX_DEPTH && i < POOL_SIZE && scope == NULL; i++)
        if (!pool[i].in_use)
            scope = &pool[i];
    if (scope != NULL) {
        memset(scope, 0, sizeof *scope);
        pthread_mutex_init(&scope->sites_lock, NULL);
        scope->in_use = true;
        scope->options = options;
        scope->id = atomic_fetch_add(&last_scope_id, 1) + 1;
        atomic_store(&open_scopes[depth], scope);
        atomic_store(&open_depth, depth + 1); /* publishes the scope */
    }
    pthread_mutex_unlock(&pool_lock);
    return scope;
}

bool hb_scope_end(hb_scope *scope) {
    pthread_mutex_lock(&pool_lock);
    unsigned depth = atomic_load(&open_depth);
    bool innermost = depth > 0 && atomic_load(&open_scopes[depth - 1]) == scope;
    if (innermost) {
        atomic_store(&open_depth, depth - 1);
        while (atomic_load(&inflight) != 0)
            sched_yield();
    }
    pthread_mutex_unlock(&pool_lock);
    return innermost;
}

void hb_scope_release(hb_scope *scope) {
    if (scope == NULL)
        return;
    pthread_mutex_lock(&pool_lock);
    hb_pages_free(scope->sites, scope->site_capacity * sizeof *scope->sites);
    scope->sites = NULL;
    scope->in_use = false;
    pthread_mutex_unlock(&pool_lock);
}

hb_usage hb_scope_usage(const hb_scope *scope) {
    hb_scope *s = (hb_scope *)scope; /* atomics are read, never changed */
    return (hb_usage){
        .peak_bytes = atomic_load(&s->peak_bytes),
        .live_bytes = atomic_load(&s->live_bytes),
        .total_bytes = atomic_load(&s->total_bytes),
        .allocations = atomic_load(&s->allocations),
        .frees = atomic_load(&s->frees),
        .live_blocks = atomic_load(&s->live_blocks),
    };
}

static bool wants_stacks(hb_scope *const *scopes, unsigned depth) {
    for (unsigned i = 0; i < depth; i++)
        if (scopes[i]->options & HB_SCOPE_STACKS)
            return true;
    return false;
}

static site_stats *site_of(hb_scope *scope, uint32_t stack_id) {
    if (stack_id >= scope->site_capacity) {
        size_t capacity = scope->site_capacity ? scope->site_capacity : 1024;
        while (capacity <= stack_id)
            capacity *= 2;
        site_stats *grown = hb_pages_alloc(capacity * sizeof *grown);
        if (grown == NULL)
            return NULL;
        if (scope->sites != NULL)
            memcpy(grown, scope->sites, scope->site_capacity * sizeof *grown);
        hb_pages_free(scope->sites, scope->site_capacity * sizeof *grown);
        scope->sites = grown;
        scope->site_capacity = capacity;
    }
    return &scope->sites[stack_id];
}

/* `sign` is +1 for an allocation, -1 for a free. */
static void count_site(hb_scope *scope, uint32_t stack_id, size_t size, int sign) {
    if (!(scope->options & HB_SCOPE_STACKS) || (scope->options & HB_SCOPE_NO_SITES) ||
        stack_id == 0)
        return;
    pthread_mutex_lock(&scope->sites_lock);
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
    pthread_mutex_unlock(&scope->sites_lock);
}

static void raise_peak(hb_scope *scope, size_t live) {
    size_t peak = atomic_load(&scope->peak_bytes);
    while (live > peak && !atomic_compare_exchange_weak(&scope->peak_bytes, &peak, live)) {
    }
}

/* Copies the open scopes; returns how many. */
static unsigned snapshot(hb_scope *scopes[HB_SCOPE_MAX_DEPTH]) {
    unsigned depth = atomic_load(&open_depth);
    for (unsigned i = 0; i < depth; i++)
        scopes[i] = atomic_load(&open_scopes[i]);
    return depth;
}

void hb_scopes_count_alloc(hb_block *block, uintptr_t caller) {
    block->scope_id = 0;
    block->stack_id = 0;
    if (atomic_load(&open_depth) == 0) /* fast path: nothing is measured */
        return;
    atomic_fetch_add(&inflight, 1);
    hb_scope *scopes[HB_SCOPE_MAX_DEPTH];
    unsigned depth = snapshot(scopes);
    if (depth > 0) {
        if (wants_stacks(scopes, depth))
            block->stack_id = hb_stacks_capture(caller);
        block->scope_id = scopes[depth - 1]->id;
        for (unsigned i = 0; i < depth; i++) {
            hb_scope *s = scopes[i];
            raise_peak(s, atomic_fetch_add(&s->live_bytes, block->size) + block->size);
            atomic_fetch_add(&s->total_bytes, block->size);
            atomic_fetch_add(&s->allocations, 1);
            atomic_fetch_add(&s->live_blocks, 1);
            count_site(s, block->stack_id, block->size, +1);
        }
    }
    atomic_fetch_sub(&inflight, 1);
}

void hb_scopes_count_free(const hb_block *block) {
    if (block->scope_id == 0 || atomic_load(&open_depth) == 0)
        return;
    atomic_fetch_add(&inflight, 1);
    hb_scope *scopes[HB_SCOPE_MAX_DEPTH];
    unsigned depth = snapshot(scopes);
    /* A scope counted the allocation iff it was open then: it began no later
     * than the innermost scope of that moment, and is still open now. */
    for (unsigned i = 0; i < depth && scopes[i]->id <= block->scope_id; i++) {
        hb_scope *s = scopes[i];
        atomic_fetch_sub(&s->live_bytes, block->size);
        atomic_fetch_add(&s->frees, 1);
        atomic_fetch_sub(&s->live_blocks, 1);
        count_site(s, block->stack_id, block->size, -1);
    }
    atomic_fetch_sub(&inflight, 1);
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
    pthread_mutex_lock(&s->sites_lock);
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
    pthread_mutex_unlock(&s->sites_lock);
    return found;
}

void hb_scopes_lock_all(void) {
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < POOL_SIZE; i++)
        if (pool[i].in_use)
            pthread_mutex_lock(&pool[i].sites_lock);
}

void hb_scopes_unlock_all(void) {
    for (int i = POOL_SIZE - 1; i >= 0; i--)
        if (pool[i].in_use)
            pthread_mutex_unlock(&pool[i].sites_lock);
    pthread_mutex_unlock(&pool_lock);
}
