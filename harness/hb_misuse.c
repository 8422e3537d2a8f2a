#include "hb_misuse.h"

#include "hb_guard.h"
#include "hb_report.h"
#include "hb_size.h"
#include "hb_spinlock.h"
#include "hb_stacks.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct freed_block {
    uintptr_t address;
    size_t size;
    uint32_t allocated_at; /* stack ids */
    uint32_t freed_at;
} freed_block;

static hb_spinlock lock = HB_SPINLOCK_INIT;
static freed_block freed[HB_MISUSE_MEMORY]; /* a ring: the newest overwrites the oldest */
static size_t next_slot;
static void (*reporter)(const char *report);
static bool remembering = true;

void hb_misuse_remember_frees(bool on) { remembering = on; }

void hb_misuse_remember_free(const hb_block *block, uintptr_t caller) {
    if (block->stack_id == 0 || !remembering)
        return;
    uint32_t freed_at = hb_stacks_capture(caller);
    hb_spin_lock(&lock);
    freed[next_slot] = (freed_block){block->address, block->size, block->stack_id, freed_at};
    next_slot = (next_slot + 1) % HB_MISUSE_MEMORY;
    hb_spin_unlock(&lock);
}

/* The most recent free of `address`, if it is still remembered. */
static bool find_freed(uintptr_t address, freed_block *found) {
    hb_spin_lock(&lock);
    bool present = false;
    for (size_t i = 1; i <= HB_MISUSE_MEMORY && !present; i++) {
        const freed_block *f = &freed[(next_slot + HB_MISUSE_MEMORY - i) % HB_MISUSE_MEMORY];
        if (f->address == address) {
            *found = *f;
            present = true;
        }
    }
    hb_spin_unlock(&lock);
    return present;
}

void hb_misuse_set_reporter(void (*new_reporter)(const char *report)) { reporter = new_reporter; }

_Noreturn void hb_misuse_fail(const char *function, void *ptr, uintptr_t caller) {
    hb_guard_enter(); /* from here on nothing is counted */
    hb_text report = {0};
    uint32_t here = hb_stacks_capture(caller);
    bool frees = strstr(function, "free") != NULL || strstr(function, "delete") != NULL;
    const char *misuse = frees ? "a double free" : "a use after free";
    freed_block f;
    if (find_freed((uintptr_t)ptr, &f)) {
        char size[HB_SIZE_TEXT];
        hb_text_printf(&report, "%s(%p): the block was already freed (%s)\n", function, ptr,
                       misuse);
        hb_text_printf(&report, "      %s again at: ", frees ? "freed" : "used");
        hb_report_stack(&report, here);
        hb_text_printf(&report, "\n      first freed at: ");
        hb_report_stack(&report, f.freed_at);
        hb_text_printf(&report, "\n      allocated (%s) at: ", hb_size_format(f.size, size));
        hb_report_stack(&report, f.allocated_at);
    } else if (hb_blocks_was_freed((uintptr_t)ptr)) {
        /* Its header says so, but the first free is not remembered (the
         * block had no stack, or too many frees came since). */
        hb_text_printf(&report,
                       "%s(%p): the block was already freed (%s)\n      called at: ", function, ptr,
                       misuse);
        hb_report_stack(&report, here);
    } else {
        hb_text_printf(&report,
                       "%s(%p): not a block that malloc returned (%s), or the bytes just "
                       "before it were overwritten\n      called at: ",
                       function, ptr, frees ? "an invalid free" : "an invalid pointer");
        hb_report_stack(&report, here);
    }
    if (reporter != NULL) {
        reporter(hb_text_get(&report));
    } else {
        /* write(2), not stdio: a broken heap may have broken stdio too. */
        const char *text = hb_text_get(&report);
        if (write(STDERR_FILENO, "heapbook: ", 10) > 0 &&
            write(STDERR_FILENO, text, report.length) > 0)
            (void)write(STDERR_FILENO, "\n", 1);
    }
    abort();
}
