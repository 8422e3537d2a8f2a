/* misuse.c: double and invalid frees, reported with where the block came
 * from (support.h: Misuse). */
#include "support.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct freed_block {
    uintptr_t address;
    size_t size;
    uint32_t allocated_at; /* stack ids */
    uint32_t freed_at;
} freed_block;

/* The module's state: a ring of the last frees, the newest overwriting the
 * oldest. */
static struct {
    hb_spinlock lock;
    freed_block freed[HB_MISUSE_MEMORY];
    size_t next_slot;
    hb_misuse_reporter reporter;
    bool remembering;
    bool started;
} ring = {.lock = HB_SPINLOCK_INIT};

void hb_misuse_remember_frees(bool on) { ring.remembering = on; }

static void remember_free(const hb_block *block, uintptr_t caller) {
    if (block->stack_id == 0 || !ring.remembering)
        return;
    uint32_t freed_at = hb_stacks_capture(caller);
    hb_spin_lock(&ring.lock);
    ring.freed[ring.next_slot] =
        (freed_block){block->address, block->size, block->stack_id, freed_at};
    ring.next_slot = (ring.next_slot + 1) % HB_MISUSE_MEMORY;
    hb_spin_unlock(&ring.lock);
}

/* The most recent free of `address`, if it is still remembered. */
static bool find_freed(uintptr_t address, freed_block *found) {
    hb_spin_lock(&ring.lock);
    bool present = false;
    for (size_t i = 1; i <= HB_MISUSE_MEMORY && !present; i++) {
        const freed_block *f =
            &ring.freed[(ring.next_slot + HB_MISUSE_MEMORY - i) % HB_MISUSE_MEMORY];
        if (f->address == address) {
            *found = *f;
            present = true;
        }
    }
    hb_spin_unlock(&ring.lock);
    return present;
}

static void describe(hb_text *report, const char *function, void *ptr, uintptr_t caller) {
    uint32_t here = hb_stacks_capture(caller);
    bool frees = strstr(function, "free") != NULL || strstr(function, "delete") != NULL;
    const char *misuse = frees ? "a double free" : "a use after free";
    freed_block f;
    if (find_freed((uintptr_t)ptr, &f)) {
        char size[HB_SIZE_TEXT];
        hb_text_printf(report, "%s(%p): the block was already freed (%s)\n", function, ptr, misuse);
        hb_text_printf(report, "      %s again at: ", frees ? "freed" : "used");
        hb_report_stack(report, here);
        hb_text_printf(report, "\n      first freed at: ");
        hb_report_stack(report, f.freed_at);
        hb_text_printf(report, "\n      allocated (%s) at: ", hb_size_format(f.size, size));
        hb_report_stack(report, f.allocated_at);
    } else if (hb_blocks_was_freed((uintptr_t)ptr)) {
        /* Its header says so, but the first free is not remembered (the
         * block had no stack, or too many frees came since). */
        hb_text_printf(report,
                       "%s(%p): the block was already freed (%s)\n      called at: ", function, ptr,
                       misuse);
        hb_report_stack(report, here);
    } else {
        hb_text_printf(report,
                       "%s(%p): not a block that malloc returned (%s), or the bytes just "
                       "before it were overwritten\n      called at: ",
                       function, ptr, frees ? "an invalid free" : "an invalid pointer");
        hb_report_stack(report, here);
    }
}

/* The core's bad-free handler: runs under the guard, never returns. */
static void report_bad_free(const char *function, void *ptr, uintptr_t caller) {
    hb_text report = {0};
    describe(&report, function, ptr, caller);
    if (ring.reporter != NULL) {
        ring.reporter(HB_MISUSE_BAD_FREE, hb_text_get(&report));
    } else {
        /* write(2), not stdio: a broken heap may have broken stdio too. */
        const char *text = hb_text_get(&report);
        if (write(STDERR_FILENO, "heapbook: ", 10) > 0 &&
            write(STDERR_FILENO, text, report.length) > 0)
            (void)write(STDERR_FILENO, "\n", 1);
    }
    abort();
}

/* The ring is copied by fork(): held across it, so that no copy is caught
 * half-written by another thread (the child's lock is released too). */
static void lock_ring(void) { hb_spin_lock(&ring.lock); }
static void unlock_ring(void) { hb_spin_unlock(&ring.lock); }

static const hb_track_observer misuse_observer = {.freed = remember_free};

void hb_misuse_start(hb_misuse_reporter reporter) {
    ring.reporter = reporter;
    if (ring.started)
        return;
    ring.started = true;
    ring.remembering = true;
    hb_guard_enter();
    pthread_atfork(lock_ring, unlock_ring, unlock_ring);
    hb_guard_leave();
    hb_track_on_bad_free(report_bad_free);
    hb_track_observe(&misuse_observer);
}
