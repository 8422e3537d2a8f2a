#include "hb_blocks.h"

#include "hb_memcheck.h"

#include <mimalloc.h>
#include <stdalign.h>
#include <sys/uio.h>
#include <unistd.h>

/* The first word is the one mimalloc links into its free list once the
 * block is freed: the size, read before the block goes back.  The seal
 * comes last, next to the payload, where a write just before the block
 * (an index of -1) lands. */
typedef struct header {
    size_t size;
    uint64_t scope_id;
    uint32_t stack_id;
    uint64_t seal;
} header;

_Static_assert(sizeof(header) == HB_BLOCK_HEADER, "the header fills HB_BLOCK_HEADER exactly");
_Static_assert(HB_BLOCK_HEADER % 16 == 0, "the payload keeps the block's alignment");

/* A live block's seal covers its address and every field: bytes copied
 * from another header, a pointer into the middle of a block, or a header
 * overwritten by a write before the block do not pass for a live block.
 * The fields are folded into one word before a single multiplication (it
 * runs on every malloc and free); each is shifted to bits of its own, so
 * small values of two fields cannot cancel out.  A freed block's seal
 * depends on the address alone (mimalloc reuses the first word), so a
 * second free is told apart from a pointer that never was a block. */
static const uint64_t seal_key = UINT64_C(0x68656170626F6F6B);

static uint64_t scramble(uint64_t value) { return value * UINT64_C(0x9E3779B97F4A7C15); }

static uint64_t live_seal(uintptr_t address, const header *h) {
    uint64_t fields =
        h->size ^ (h->scope_id << 24 | h->scope_id >> 40) ^ (uint64_t)h->stack_id << 40;
    return scramble(address ^ fields ^ seal_key);
}

static uint64_t freed_seal(uintptr_t address) { return ~scramble(address ^ seal_key); }

static header *header_of(uintptr_t address) { return hb_blocks_start((void *)address); }

void hb_blocks_insert(uintptr_t address, size_t size, uint64_t scope_id, uint32_t stack_id) {
    header h = {.size = size, .scope_id = scope_id, .stack_id = stack_id};
    h.seal = live_seal(address, &h);
    *header_of(address) = h;
}

/* Copies the header that would precede `address` into *copy, if the memory
 * is readable.  Inside mimalloc's segments it is (a block never starts a
 * segment): mimalloc's map of them answers in a few instructions.  Anything
 * else is a bad free, or a block in a segment the map does not cover (it
 * stops at 20 TiB of addresses); the kernel copies those without the risk
 * of a fault.  (An AddressSanitizer build links no mimalloc: ASan's malloc
 * serves every block there, and none has a header.) */
static bool copy_header(uintptr_t address, header *copy) {
    if (address % alignof(uint64_t) != 0 || address < HB_BLOCK_HEADER)
        return false;
    const header *h = header_of(address);
#if !HB_SANITIZED
    if (mi_is_in_heap_region(h)) {
        *copy = *h;
        return true;
    }
#endif
    struct iovec local = {copy, sizeof *copy};
    struct iovec remote = {(void *)h, sizeof *copy};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)sizeof *copy;
}

bool hb_blocks_find(uintptr_t address, hb_block *found) {
    header h;
    if (!copy_header(address, &h) || h.seal != live_seal(address, &h))
        return false;
    *found = (hb_block){
        .address = address,
        .size = h.size,
        .scope_id = h.scope_id,
        .stack_id = h.stack_id,
    };
    return true;
}

bool hb_blocks_remove(uintptr_t address, hb_block *removed) {
    if (!hb_blocks_find(address, removed))
        return false;
    header_of(address)->seal = freed_seal(address);
    return true;
}

bool hb_blocks_was_freed(uintptr_t address) {
    header h;
    return copy_header(address, &h) && h.seal == freed_seal(address);
}
