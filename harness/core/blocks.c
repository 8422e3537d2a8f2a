/* blocks.c: the sealed header before each block (core.h: Blocks). */
#include "internal.h"

#include <mimalloc.h>
#include <stdalign.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* The header that would precede `address`, if the memory is readable: in
 * place, or else copied into *scratch.  Inside mimalloc's segments it is
 * (a block never starts a segment): mimalloc's map of them answers in a
 * few instructions, and the header is read where it is, a field at a time.
 * (A copy would load it 16 bytes at a time, right after malloc stored it a
 * field at a time, and wait for those stores to land.)  Anything else is a
 * bad free, or a block in a segment the map does not cover (it stops at
 * 20 TiB of addresses); the kernel copies those without the risk of a
 * fault.  An AddressSanitizer build links no mimalloc: ASan's malloc serves
 * every block there, and none has a header. */
#if !HB_SANITIZED
/* In mimalloc's map, or in the region last found there (internal.h). */
static bool in_mimalloc(const hb_header *h) {
    if (hb_in_known_region((uintptr_t)h))
        return true;
    if (!mi_is_in_heap_region(h))
        return false;
    hb_this_thread.known_region = (uintptr_t)h >> HB_KNOWN_REGION_SHIFT;
    return true;
}
#endif

static const hb_header *readable_header(uintptr_t address, hb_header *scratch) {
    if (address % alignof(uint64_t) != 0 || address < HB_BLOCK_HEADER)
        return NULL;
    const hb_header *h = hb_header_of(address);
#if !HB_SANITIZED
    if (in_mimalloc(h))
        return h;
#endif
    struct iovec local = {scratch, sizeof *scratch};
    struct iovec remote = {(void *)h, sizeof *scratch};
    if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)sizeof *scratch)
        return NULL;
    return scratch;
}

/* The header of the live block at `address`, or NULL. */
static const hb_header *live_header(uintptr_t address, hb_header *scratch) {
    const hb_header *h = readable_header(address, scratch);
    return h != NULL && h->seal == hb_live_seal(address, h->size, h->scope_id, h->stack_and_gap)
               ? h
               : NULL;
}

static void fill(hb_block *block, uintptr_t address, const hb_header *h, uint64_t stack_and_gap) {
    block->address = address;
    block->size = h->size;
    block->scope_id = h->scope_id;
    block->stack_id = (uint32_t)stack_and_gap;
    block->gap_shift = (uint32_t)(stack_and_gap >> 32);
}

bool hb_blocks_find(uintptr_t address, hb_block *found) {
    hb_header scratch;
    const hb_header *h = live_header(address, &scratch);
    if (h == NULL)
        return false;
    fill(found, address, h, h->stack_and_gap);
    return true;
}

/* The start comes from the header's word in a register, not read back
 * from *removed just after storing it there: on bench/workload's churn
 * that read-back cost a nanosecond per free. */
void *hb_blocks_remove(uintptr_t address, hb_block *removed) {
    hb_header scratch;
    const hb_header *h = live_header(address, &scratch);
    if (h == NULL)
        return NULL;
    uint64_t stack_and_gap = h->stack_and_gap;
    fill(removed, address, h, stack_and_gap);
    hb_header_of(address)->seal = hb_freed_seal(address);
    return (void *)(address - hb_blocks_gap((uint32_t)(stack_and_gap >> 32)));
}

bool hb_blocks_was_freed(uintptr_t address) {
    hb_header scratch;
    const hb_header *h = readable_header(address, &scratch);
    return h != NULL && h->seal == hb_freed_seal(address);
}

size_t hb_blocks_overflow(const hb_block *block) {
    if (hb_guard_intact(block->address, block->size))
        return 0;
    const unsigned char *guard = (const unsigned char *)(block->address + block->size);
    /* The write reached at least the last byte that differs. */
    const unsigned char *expected = (const unsigned char *)hb_guard_words;
    size_t reached = HB_BLOCK_GUARD;
    /* hb_guard_words is HB_BLOCK_GUARD initialised bytes (internal.h asserts it). */
    // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult)
    while (reached > 0 && guard[reached - 1] == expected[reached - 1])
        reached--;
    return reached;
}

#if !HB_SANITIZED /* AddressSanitizer's blocks have no header to check */

typedef struct live_visit {
    uint64_t first_scope_id;
    void (*visit)(const hb_block *block, void *arg);
    void *arg;
} live_visit;

/* mimalloc's visitor: `block` is where mimalloc's block starts, which is
 * the header's place unless the block has a gap (a huge alignment: not
 * visited here). */
static bool visit_block(const mi_heap_t *heap, const mi_heap_area_t *area, void *block,
                        size_t block_size, void *arg) {
    (void)heap;
    (void)area;
    (void)block_size;
    const live_visit *v = arg;
    if (block == NULL)
        return true;
    uintptr_t address = (uintptr_t)block + HB_BLOCK_HEADER;
    hb_block found;
    if (hb_blocks_find(address, &found) && found.scope_id >= v->first_scope_id &&
        found.gap_shift == 0)
        v->visit(&found, v->arg);
    return true;
}

void hb_blocks_visit_live(uint64_t first_scope_id, void (*visit)(const hb_block *, void *),
                          void *arg) {
    live_visit v = {first_scope_id, visit, arg};
    mi_heap_visit_blocks(mi_heap_get_default(), true, visit_block, &v);
}

static void check_guard(const hb_block *block, void *arg) {
    (void)arg;
    size_t written = hb_blocks_overflow(block);
    if (written != 0)
        hb_track_memory_error(&(hb_memory_error){
            .kind = HB_OVERFLOW, .ptr = (void *)block->address, .block = *block, .bytes = written});
}

void hb_blocks_check_live(uint64_t first_scope_id) {
    hb_blocks_visit_live(first_scope_id, check_guard, NULL);
}

typedef struct live_sites {
    uint64_t first_scope_id;
    const uintptr_t *kept;
    size_t kept_count;
    hb_site *sites;
    size_t max, count, total;
} live_sites;

static bool is_kept(const live_sites *live, uintptr_t address) {
    for (size_t i = 0; i < live->kept_count; i++)
        if (live->kept[i] == address)
            return true;
    return false;
}

static bool add_live_site(const mi_heap_t *heap, const mi_heap_area_t *area, void *block,
                          size_t block_size, void *arg) {
    (void)heap;
    (void)area;
    (void)block_size;
    live_sites *live = arg;
    if (block == NULL)
        return true;
    uintptr_t address = (uintptr_t)block + HB_BLOCK_HEADER;
    hb_block found;
    if (!hb_blocks_find(address, &found) || found.scope_id < live->first_scope_id ||
        is_kept(live, address))
        return true;
    size_t i = 0;
    while (i < live->count && live->sites[i].stack_id != found.stack_id)
        i++;
    if (i == live->count) {
        live->total++;
        if (live->count == live->max)
            return true;
        live->sites[live->count++] = (hb_site){.stack_id = found.stack_id};
    }
    live->sites[i].bytes += found.size;
    live->sites[i].blocks++;
    return true;
}

size_t hb_blocks_live_sites(uint64_t first_scope_id, const uintptr_t *kept, size_t kept_count,
                            hb_site *sites, size_t max) {
    live_sites live = {first_scope_id, kept, kept_count, sites, max, 0, 0};
    mi_heap_visit_blocks(mi_heap_get_default(), true, add_live_site, &live);
    /* by bytes, the biggest first; ties by stack id (a few dozen: insertion) */
    for (size_t i = 1; i < live.count; i++)
        for (size_t j = i; j > 0 && (sites[j].bytes > sites[j - 1].bytes ||
                                     (sites[j].bytes == sites[j - 1].bytes &&
                                      sites[j].stack_id < sites[j - 1].stack_id));
             j--) {
            hb_site swap = sites[j];
            sites[j] = sites[j - 1];
            sites[j - 1] = swap;
        }
    return live.total;
}

#else

void hb_blocks_check_live(uint64_t first_scope_id) { (void)first_scope_id; }

void hb_blocks_visit_live(uint64_t first_scope_id, void (*visit)(const hb_block *, void *),
                          void *arg) {
    (void)first_scope_id;
    (void)visit;
    (void)arg;
}

size_t hb_blocks_live_sites(uint64_t first_scope_id, const uintptr_t *kept, size_t kept_count,
                            hb_site *sites, size_t max) {
    (void)first_scope_id, (void)kept, (void)kept_count, (void)sites, (void)max;
    return 0;
}

#endif
