/* blocks.c: the sealed header before each block (core.h: Blocks). */
#include "core.h"

#include <mimalloc.h>
#include <stdalign.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* The first word is the one mimalloc links into its free list once the
 * block is freed: the size, read before the block goes back.  The stack id
 * and the gap share a word, stored and loaded whole: a load that spans two
 * separate stores made just before (malloc, then a quick free) waits for
 * both to land.  The seal comes last, next to the payload, where a write
 * just before the block (an index of -1) lands. */
typedef struct header {
    size_t size;
    uint64_t scope_id;
    uint64_t stack_and_gap; /* stack_id | gap_shift << 32 */
    uint64_t seal;
} header;

_Static_assert(sizeof(header) == HB_BLOCK_HEADER, "the header fills HB_BLOCK_HEADER exactly");
_Static_assert(HB_BLOCK_HEADER % 16 == 0, "the payload keeps the block's alignment");

/* A live block's seal covers its address and every field: bytes copied
 * from another header, a pointer into the middle of a block, or a header
 * overwritten by a write before the block do not pass for a live block.
 * The fields are folded into one word before a single multiplication (it
 * runs on every malloc and free), rotated so that sizes, scope ids and
 * stack ids below 2^24, 2^16 and 2^24 land on bits of their own and cannot
 * cancel each other out.  A freed block's seal
 * depends on the address alone (mimalloc reuses the first word), so a
 * second free is told apart from a pointer that never was a block. */
static const uint64_t seal_key = UINT64_C(0x68656170626F6F6B);

static uint64_t scramble(uint64_t value) { return value * UINT64_C(0x9E3779B97F4A7C15); }

static uint64_t live_seal(uintptr_t address, const header *h) {
    uint64_t fields = h->size ^ (h->scope_id << 24 | h->scope_id >> 40) ^
                      (h->stack_and_gap << 40 | h->stack_and_gap >> 24);
    return scramble(address ^ fields ^ seal_key);
}

static uint64_t freed_seal(uintptr_t address) { return ~scramble(address ^ seal_key); }

static header *header_of(uintptr_t address) { return (header *)(address - HB_BLOCK_HEADER); }

/* The guard's bytes: not 0 (a string's terminator) nor a small number, and
 * a different byte in each half so a copied block does not pass for one.
 * Stored and compared a word at a time (unaligned: the guard starts where
 * the caller's bytes end). */
static const uint64_t guard_words[2] = {UINT64_C(0xFDFDFDFDFDFDFDFD), UINT64_C(0xFBFBFBFBFBFBFBFB)};
_Static_assert(HB_BLOCK_GUARD == sizeof guard_words, "two words of guard");

static void write_guard(uintptr_t address, size_t size) {
    memcpy((void *)(address + size), guard_words, sizeof guard_words);
}

void hb_blocks_insert(uintptr_t address, size_t size, uint64_t scope_id, uint32_t stack_id,
                      uint32_t gap_shift) {
    header h = {
        .size = size,
        .scope_id = scope_id,
        .stack_and_gap = stack_id | (uint64_t)gap_shift << 32,
    };
    h.seal = live_seal(address, &h);
    *header_of(address) = h;
    write_guard(address, size);
}

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
static const header *readable_header(uintptr_t address, header *scratch) {
    if (address % alignof(uint64_t) != 0 || address < HB_BLOCK_HEADER)
        return NULL;
    const header *h = header_of(address);
#if !HB_SANITIZED
    if (mi_is_in_heap_region(h))
        return h;
#endif
    struct iovec local = {scratch, sizeof *scratch};
    struct iovec remote = {(void *)h, sizeof *scratch};
    if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)sizeof *scratch)
        return NULL;
    return scratch;
}

/* The header of the live block at `address`, or NULL. */
static const header *live_header(uintptr_t address, header *scratch) {
    const header *h = readable_header(address, scratch);
    return h != NULL && h->seal == live_seal(address, h) ? h : NULL;
}

static void fill(hb_block *block, uintptr_t address, const header *h, uint64_t stack_and_gap) {
    block->address = address;
    block->size = h->size;
    block->scope_id = h->scope_id;
    block->stack_id = (uint32_t)stack_and_gap;
    block->gap_shift = (uint32_t)(stack_and_gap >> 32);
}

bool hb_blocks_find(uintptr_t address, hb_block *found) {
    header scratch;
    const header *h = live_header(address, &scratch);
    if (h == NULL)
        return false;
    fill(found, address, h, h->stack_and_gap);
    return true;
}

/* The start comes from the header's word in a register, not read back
 * from *removed just after storing it there: on bench/workload's churn
 * that read-back cost a nanosecond per free. */
void *hb_blocks_remove(uintptr_t address, hb_block *removed) {
    header scratch;
    const header *h = live_header(address, &scratch);
    if (h == NULL)
        return NULL;
    uint64_t stack_and_gap = h->stack_and_gap;
    fill(removed, address, h, stack_and_gap);
    header_of(address)->seal = freed_seal(address);
    return (void *)(address - hb_blocks_gap((uint32_t)(stack_and_gap >> 32)));
}

bool hb_blocks_was_freed(uintptr_t address) {
    header scratch;
    const header *h = readable_header(address, &scratch);
    return h != NULL && h->seal == freed_seal(address);
}

size_t hb_blocks_overflow(const hb_block *block) {
    const unsigned char *guard = (const unsigned char *)(block->address + block->size);
    uint64_t words[2];
    memcpy(words, guard, sizeof words);
    if (words[0] == guard_words[0] && words[1] == guard_words[1])
        return 0;
    /* The write reached at least the last byte that differs. */
    const unsigned char *expected = (const unsigned char *)guard_words;
    size_t reached = HB_BLOCK_GUARD;
    while (reached > 0 && guard[reached - 1] == expected[reached - 1])
        reached--;
    return reached;
}

#if !HB_SANITIZED /* AddressSanitizer's blocks have no header to check */

typedef struct live_check {
    uint64_t first_scope_id;
} live_check;

/* mimalloc's visitor: `block` is where mimalloc's block starts, which is
 * the header's place unless the block has a gap (a huge alignment: not
 * checked here, only at its free). */
static bool check_block(const mi_heap_t *heap, const mi_heap_area_t *area, void *block,
                        size_t block_size, void *arg) {
    (void)heap;
    (void)area;
    (void)block_size;
    const live_check *check = arg;
    if (block == NULL)
        return true;
    uintptr_t address = (uintptr_t)block + HB_BLOCK_HEADER;
    hb_block found;
    if (!hb_blocks_find(address, &found) || found.scope_id < check->first_scope_id ||
        found.gap_shift != 0)
        return true;
    size_t written = hb_blocks_overflow(&found);
    if (written != 0)
        hb_track_memory_error(&(hb_memory_error){
            .kind = HB_OVERFLOW, .ptr = (void *)address, .block = found, .bytes = written});
    return true;
}

void hb_blocks_check_live(uint64_t first_scope_id) {
    live_check check = {first_scope_id};
    mi_heap_visit_blocks(mi_heap_get_default(), true, check_block, &check);
}

#else

void hb_blocks_check_live(uint64_t first_scope_id) { (void)first_scope_id; }

#endif
