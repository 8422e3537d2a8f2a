/* quarantine.c: freed blocks held back and poisoned, to find writes after
 * free, and the history of freed blocks by address, to say where a block
 * freed long ago came from (core.h: The quarantine).
 *
 * A ring, oldest first: a block enters at its free, with its first
 * HB_QUARANTINE_POISONED bytes overwritten with the poison (all of them if
 * realloc moved it: entry_points.c), and leaves when
 * the ring is full (by count or by bytes) or at a flush; leaving, its
 * poison is checked, then mimalloc gets the block back.  While it is in,
 * its memory is handed to no one else, so a stale pointer's write lands
 * in the poison instead of in another block.
 *
 * Once out, its slot is handed out again, and a double free through the
 * stale pointer finds the slot's newest block.  So every block that enters
 * is also remembered in the history: a table in the harness's own pages,
 * HISTORY_SETS sets of HISTORY_WAYS records, the set chosen by the block's
 * address.  A record is an address and the two places that allocated and
 * freed blocks there (their stacks), with how many did and the last one;
 * a churn that reuses a slot a thousand times from one loop is one record,
 * so the stale block's record is still there beside it.  A new record
 * takes an empty way or the set's oldest (the newest record wins); the set
 * keeps the address it forgot last, so a report can say older blocks were
 * there too.  Bounded: HISTORY_BYTES, mapped once, touched as used. */
#include "internal.h"

#include <pthread.h>
#include <string.h>

typedef struct held {
    hb_freed_block freed;
    void *allocation; /* what mi_free() takes */
    size_t poisoned;  /* its first bytes poisoned: HB_QUARANTINE_POISONED, or all */
} held;

enum { HISTORY_SETS = 8192, HISTORY_WAYS = HB_FREED_HISTORY_MAX };

typedef struct remembered {
    hb_freed_block freed; /* the last block freed there from these places, and how many */
    uint64_t serial;      /* when the last was: 0 for an empty way */
} remembered;

typedef struct history_set {
    remembered ways[HISTORY_WAYS];
    uintptr_t forgotten; /* the address of the last record evicted */
} history_set;

#define HISTORY_BYTES (sizeof(history_set) * HISTORY_SETS)

/* The module's state. */
static struct {
    hb_spinlock lock; /* over the ring and the history */
    held ring[HB_QUARANTINE_BLOCKS];
    size_t oldest, count, bytes;
    history_set *history; /* NULL until the quarantine is first turned on */
    uint64_t serial;      /* frees remembered so far */
} quarantine = {.lock = HB_SPINLOCK_INIT};

static size_t poisoned_bytes(const hb_block *block, bool whole) {
    return whole || block->size < HB_QUARANTINE_POISONED ? block->size : HB_QUARANTINE_POISONED;
}

/* Are the first `n` bytes of the block all still poison?  A word at a
 * time: this runs for every block that leaves the ring. */
static bool still_poisoned(const hb_block *block, size_t n) {
    const unsigned char *bytes = (const unsigned char *)block->address;
    size_t i = 0;
    /* The poison byte in every byte of a word (a constant: memset() would
     * be a call, the harness being built -fno-builtin). */
    const uint64_t poison = (uint64_t)HB_POISON * UINT64_C(0x0101010101010101);
    for (; i + sizeof poison <= n; i += sizeof poison) {
        uint64_t word;
        __builtin_memcpy(&word, bytes + i, sizeof word);
        if (word != poison)
            return false;
    }
    for (; i < n; i++)
        if (bytes[i] != HB_POISON)
            return false;
    return true;
}

/* How many of the first `n` bytes, poisoned, changed. */
static size_t changed_bytes(const hb_block *block, size_t n) {
    if (still_poisoned(block, n))
        return 0;
    const unsigned char *bytes = (const unsigned char *)block->address;
    size_t changed = 0;
    for (size_t i = 0; i < n; i++)
        changed += bytes[i] != HB_POISON;
    return changed;
}

/* The oldest block, out of the ring (the lock held): checked, then freed.
 * Read in its slot, which no one reuses before the lock is let go: copied
 * only for a report, made after that. */
static void release_oldest(uintptr_t caller) {
    const held *out = &quarantine.ring[quarantine.oldest];
    quarantine.oldest = (quarantine.oldest + 1) % HB_QUARANTINE_BLOCKS;
    quarantine.count--;
    quarantine.bytes -= out->freed.block.size;
    size_t changed = changed_bytes(&out->freed.block, out->poisoned);
    if (changed != 0) {
        hb_freed_block freed = out->freed;
        hb_spin_unlock(&quarantine.lock);
        hb_track_memory_error(&(hb_memory_error){.kind = HB_WRITE_AFTER_FREE,
                                                 .function = "free",
                                                 .ptr = (void *)freed.block.address,
                                                 .caller = caller,
                                                 .block = freed.block,
                                                 .freed_at = freed.freed_at,
                                                 .bytes = changed});
    }
    hb_release_now(out->allocation);
}

/* The set of `address`: a multiplicative hash, its high bits, so that
 * blocks a fixed stride apart spread over every set. */
static history_set *set_of(uintptr_t address) {
    uint64_t hash = (uint64_t)address * UINT64_C(0x9E3779B97F4A7C15);
    return &quarantine.history[(hash >> 40) % HISTORY_SETS];
}

/* Remembers a block freed at `freed_at` (the lock held). */
static void remember(const hb_block *block, uint32_t freed_at) {
    if (quarantine.history == NULL)
        return;
    history_set *set = set_of(block->address);
    remembered *slot = NULL, *oldest = &set->ways[0];
    for (int i = 0; i < HISTORY_WAYS && slot == NULL; i++) {
        remembered *r = &set->ways[i];
        if (r->serial != 0 && r->freed.block.address == block->address &&
            r->freed.block.stack_id == block->stack_id && r->freed.freed_at == freed_at)
            slot = r;
        else if (r->serial < oldest->serial)
            oldest = r;
    }
    if (slot == NULL) {
        slot = oldest;
        if (slot->serial != 0)
            set->forgotten = slot->freed.block.address;
        slot->freed.count = 0;
    }
    slot->freed.block = *block;
    slot->freed.freed_at = freed_at;
    slot->freed.count++;
    slot->serial = ++quarantine.serial;
}

bool hb_quarantine_keep(const hb_block *block, void *allocation, uintptr_t caller, bool whole,
                        const void *frame) {
    if (!hb_hot.quarantine_on || block->scope_id == 0 || block->size > HB_QUARANTINE_BYTES)
        return false;
    bool suppressed;
    uint32_t freed_at = hb_stacks_capture_from(frame, caller, &suppressed);
    size_t poisoned = poisoned_bytes(block, whole);
    memset((void *)block->address, HB_POISON, poisoned);
    hb_spin_lock(&quarantine.lock);
    while (quarantine.count == HB_QUARANTINE_BLOCKS ||
           (quarantine.count > 0 && quarantine.bytes + block->size > HB_QUARANTINE_BYTES))
        release_oldest(caller);
    size_t at = (quarantine.oldest + quarantine.count) % HB_QUARANTINE_BLOCKS;
    quarantine.ring[at] = (held){{*block, freed_at, 1}, allocation, poisoned};
    quarantine.count++;
    remember(block, freed_at);
    quarantine.bytes += block->size;
    hb_spin_unlock(&quarantine.lock);
    return true;
}

size_t hb_quarantine_history(uintptr_t address, hb_freed_block found[HB_FREED_HISTORY_MAX],
                             bool *forgotten) {
    size_t n = 0;
    uint64_t serials[HB_FREED_HISTORY_MAX];
    hb_spin_lock(&quarantine.lock);
    *forgotten = false;
    if (quarantine.history != NULL) {
        const history_set *set = set_of(address);
        *forgotten = set->forgotten == address;
        for (int i = 0; i < HISTORY_WAYS; i++) {
            const remembered *r = &set->ways[i];
            if (r->serial == 0 || r->freed.block.address != address)
                continue;
            /* Oldest first: an insertion sort of at most HISTORY_WAYS. */
            size_t at = n++;
            for (; at > 0 && serials[at - 1] > r->serial; at--) {
                serials[at] = serials[at - 1];
                found[at] = found[at - 1];
            }
            serials[at] = r->serial;
            found[at] = r->freed;
        }
    }
    hb_spin_unlock(&quarantine.lock);
    return n;
}

void hb_quarantine_flush(void) {
    hb_spin_lock(&quarantine.lock);
    while (quarantine.count > 0)
        release_oldest(0);
    hb_spin_unlock(&quarantine.lock);
}

/* The ring is copied by fork(): held across it, so that no copy is caught
 * half-written by another thread (the child's lock is released too). */
static void lock_ring(void) { hb_spin_lock(&quarantine.lock); }
static void unlock_ring(void) { hb_spin_unlock(&quarantine.lock); }

void hb_quarantine_enable(bool on) {
    static bool registered;
    if (on && !registered) {
        registered = true;
        hb_guard_enter();
        pthread_atfork(lock_ring, unlock_ring, unlock_ring);
        hb_guard_leave();
        /* Without its pages (none left), freed blocks are only held.  Every
         * page touched now, before any test: a test that frees many blocks
         * would otherwise fault them in during its body, and the kernel's
         * count of its resident memory would grow by megabytes no
         * allocation of its explains (runner/measure.c: check_resident). */
        history_set *history = hb_pages_alloc(HISTORY_BYTES);
        if (history != NULL)
            memset(history, 0, HISTORY_BYTES);
        hb_spin_lock(&quarantine.lock);
        quarantine.history = history;
        hb_spin_unlock(&quarantine.lock);
    }
    if (!on)
        hb_quarantine_flush();
    hb_hot.quarantine_on = on;
    hb_scopes_refresh(); /* frees counted inline only without it */
}
