/* quarantine.c: freed blocks held back and poisoned, to find writes after
 * free (core.h: The quarantine).
 *
 * A ring, oldest first: a block enters at its free, with its first
 * HB_QUARANTINE_POISONED bytes overwritten with the poison, and leaves when
 * the ring is full (by count or by bytes) or at a flush; leaving, its
 * poison is checked, then mimalloc gets the block back.  While it is in,
 * its memory is handed to no one else, so a stale pointer's write lands
 * in the poison instead of in another block. */
#include "hot.h"

#include <pthread.h>
#include <string.h>

typedef struct held {
    hb_freed_block freed;
    void *allocation; /* what mi_free() takes */
} held;

/* The module's state. */
static struct {
    hb_spinlock lock;
    held ring[HB_QUARANTINE_BLOCKS];
    size_t oldest, count, bytes;
} quarantine = {.lock = HB_SPINLOCK_INIT};
bool hb_quarantine_on; /* hot.h reads it */

static size_t poisoned_bytes(const hb_block *block) {
    return block->size < HB_QUARANTINE_POISONED ? block->size : HB_QUARANTINE_POISONED;
}

/* Are the poisoned bytes all still poison?  A word at a time: this runs
 * for every block that leaves the ring. */
static bool still_poisoned(const hb_block *block) {
    const unsigned char *bytes = (const unsigned char *)block->address;
    size_t n = poisoned_bytes(block), i = 0;
    uint64_t poison;
    memset(&poison, HB_POISON, sizeof poison);
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

/* How many of the poisoned bytes changed. */
static size_t changed_bytes(const hb_block *block) {
    if (still_poisoned(block))
        return 0;
    const unsigned char *bytes = (const unsigned char *)block->address;
    size_t changed = 0;
    for (size_t i = 0, n = poisoned_bytes(block); i < n; i++)
        changed += bytes[i] != HB_POISON;
    return changed;
}

/* The oldest block, out of the ring (the lock held): checked, then freed. */
static void release_oldest(uintptr_t caller) {
    held out = quarantine.ring[quarantine.oldest];
    quarantine.oldest = (quarantine.oldest + 1) % HB_QUARANTINE_BLOCKS;
    quarantine.count--;
    quarantine.bytes -= out.freed.block.size;
    size_t changed = changed_bytes(&out.freed.block);
    if (changed != 0) {
        hb_spin_unlock(&quarantine.lock);
        hb_track_memory_error(&(hb_memory_error){.kind = HB_WRITE_AFTER_FREE,
                                                 .function = "free",
                                                 .ptr = (void *)out.freed.block.address,
                                                 .caller = caller,
                                                 .block = out.freed.block,
                                                 .freed_at = out.freed.freed_at,
                                                 .bytes = changed});
    }
    hb_release_now(out.allocation);
}

bool hb_quarantine_keep(const hb_block *block, void *allocation, uintptr_t caller) {
    if (!hb_quarantine_on || block->scope_id == 0 || block->size > HB_QUARANTINE_BYTES)
        return false;
    uint32_t freed_at = hb_stacks_capture(caller);
    memset((void *)block->address, HB_POISON, poisoned_bytes(block));
    hb_spin_lock(&quarantine.lock);
    while (quarantine.count == HB_QUARANTINE_BLOCKS ||
           (quarantine.count > 0 && quarantine.bytes + block->size > HB_QUARANTINE_BYTES))
        release_oldest(caller);
    size_t at = (quarantine.oldest + quarantine.count) % HB_QUARANTINE_BLOCKS;
    quarantine.ring[at] = (held){{*block, freed_at}, allocation};
    quarantine.count++;
    quarantine.bytes += block->size;
    hb_spin_unlock(&quarantine.lock);
    return true;
}

bool hb_quarantine_find(uintptr_t address, hb_freed_block *found) {
    hb_spin_lock(&quarantine.lock);
    bool present = false;
    for (size_t i = quarantine.count; i > 0 && !present; i--) {
        const held *h = &quarantine.ring[(quarantine.oldest + i - 1) % HB_QUARANTINE_BLOCKS];
        if (h->freed.block.address == address) {
            *found = h->freed;
            present = true;
        }
    }
    hb_spin_unlock(&quarantine.lock);
    return present;
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
    }
    if (!on)
        hb_quarantine_flush();
    hb_quarantine_on = on;
    hb_scopes_refresh(); /* frees counted inline only without it */
}
