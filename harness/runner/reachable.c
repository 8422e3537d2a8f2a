/* reachable.c: which live blocks the program's globals reach (runner.h:
 * Reachable blocks), as a leak checker's "still reachable": a cache kept
 * in a global is the program's, a block nothing points to is a leak.
 *
 * The roots are the writable segments of the executable (its .data and
 * .bss: the globals of the code under test, and of the harness, which
 * holds no counted block); from each word that points into a live block,
 * that block's words in turn.  Conservative, as every such scan: a number
 * that happens to look like a pointer keeps a block. */
#include "runner.h"

#include <link.h>
#include <stdlib.h>

typedef struct live_block {
    hb_block block;
    bool reached;
} live_block;

typedef struct scan {
    live_block *blocks;
    size_t count, capacity;
    size_t *pending; /* blocks reached, their words not yet read */
    size_t pending_count;
} scan;

static void count_block(const hb_block *block, void *arg) {
    (void)block;
    ((scan *)arg)->capacity++;
}

static void keep_block(const hb_block *block, void *arg) {
    scan *s = arg;
    if (s->count < s->capacity)
        s->blocks[s->count++] = (live_block){*block, false};
}

static int by_address(const void *a, const void *b) {
    uintptr_t x = ((const live_block *)a)->block.address,
              y = ((const live_block *)b)->block.address;
    return (x > y) - (x < y);
}

/* The block `word` points into, if any, marked and queued. */
static void reach(scan *s, uintptr_t word) {
    size_t low = 0, high = s->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (s->blocks[middle].block.address <= word)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0)
        return;
    live_block *b = &s->blocks[low - 1];
    if (word >= b->block.address + b->block.size || b->reached)
        return;
    b->reached = true;
    s->pending[s->pending_count++] = (size_t)(b - s->blocks);
}

static void scan_words(scan *s, uintptr_t start, uintptr_t end) {
    start = (start + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    for (uintptr_t at = start; at + sizeof(uintptr_t) <= end; at += sizeof(uintptr_t))
        reach(s, *(const uintptr_t *)at);
}

/* The executable comes first in dl_iterate_phdr's order: its writable
 * segments, then stop. */
static int scan_executable(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            scan_words(arg, start, start + ph->p_memsz);
        }
    }
    return 1;
}

void hb_reachable_from_globals(const hb_scope *scope,
                               void (*reached)(const hb_block *block, void *arg), void *arg) {
    scan s = {0};
    hb_guard_enter(); /* the harness's work: its allocations (qsort's) uncounted */
    uint64_t first = hb_scope_id(scope);
    hb_blocks_visit_live(first, count_block, &s);
    size_t bytes = s.capacity * (sizeof *s.blocks + sizeof *s.pending);
    void *pages = s.capacity > 0 ? hb_pages_alloc(bytes) : NULL;
    if (pages != NULL) {
        s.blocks = pages;
        s.pending = (size_t *)(s.blocks + s.capacity);
        hb_blocks_visit_live(first, keep_block, &s);
        qsort(s.blocks, s.count, sizeof *s.blocks, by_address);
        dl_iterate_phdr(scan_executable, &s);
        while (s.pending_count > 0) {
            const hb_block *b = &s.blocks[s.pending[--s.pending_count]].block;
            scan_words(&s, b->address, b->address + b->size);
        }
        for (size_t i = 0; i < s.count; i++)
            if (s.blocks[i].reached)
                reached(&s.blocks[i].block, arg);
        hb_pages_free(pages, bytes);
    }
    hb_guard_leave();
}
