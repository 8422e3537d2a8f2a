/* Exercise 18: An allocator of your own.  The pool (pool.h).
 *
 * segregated free lists over a shared arena.
 * Blocks are rounded up to a multiple of POOL_ALIGNMENT, which gives
 * CLASSES sizes (16, 32, ..., 256).  A freed block goes on the free list
 * of its size, threaded through the block itself (its first bytes hold
 * the next free block), and the next pool_alloc() of that size takes it
 * back: no search, and no byte of bookkeeping per live block.  When a
 * size's list is empty, the block is cut from the current chunk, as the
 * arena did; chunks are small (CHUNK bytes), so the memory taken follows
 * the memory in use, and what is left at a chunk's end when it cannot
 * hold a block goes on the list of the biggest size it can hold.
 *
 *     chunk: [ previous chunk | padding to 16 | block | block | ... ]
 */
#include "pool.h"

#include <stdbool.h>
#include <stdlib.h>

enum { CHUNK = 4096, CLASSES = POOL_LARGEST / POOL_ALIGNMENT };

typedef struct free_block {
    struct free_block *next;
} free_block;

struct pool {
    unsigned char *chunk;      /* the last chunk taken, NULL if none */
    size_t used;               /* bytes of it cut so far */
    free_block *free[CLASSES]; /* free[c]: free blocks of (c + 1) * POOL_ALIGNMENT bytes */
};

typedef struct chunk_header {
    unsigned char *previous;
} chunk_header;
enum { HEADER = (sizeof(chunk_header) + POOL_ALIGNMENT - 1) / POOL_ALIGNMENT * POOL_ALIGNMENT };

static size_t aligned(size_t size) {
    return (size + POOL_ALIGNMENT - 1) / POOL_ALIGNMENT * POOL_ALIGNMENT;
}

/* The free list for blocks of `size` bytes, a multiple of the alignment. */
static free_block **list_of(pool *p, size_t size) { return &p->free[size / POOL_ALIGNMENT - 1]; }

static void push(pool *p, void *block, size_t size) {
    free_block *b = block;
    free_block **list = list_of(p, size);
    b->next = *list;
    *list = b;
}

pool *pool_new(void) { return calloc(1, sizeof(pool)); }

/* A new chunk, linked before the others; what was left of the current one
 * goes on a free list.  False if memory ran out. */
static bool take_chunk(pool *p) {
    unsigned char *chunk = malloc(CHUNK);
    if (chunk == NULL)
        return false;
    size_t left = p->chunk != NULL ? CHUNK - p->used : 0;
    if (left >= POOL_ALIGNMENT)
        push(p, p->chunk + p->used, left);
    ((chunk_header *)chunk)->previous = p->chunk;
    p->chunk = chunk;
    p->used = HEADER;
    return true;
}

void *pool_alloc(pool *p, size_t size) {
    if (size == 0 || size > POOL_LARGEST)
        return NULL;
    size = aligned(size);
    free_block **list = list_of(p, size);
    if (*list != NULL) {
        free_block *b = *list;
        *list = b->next;
        return b;
    }
    if ((p->chunk == NULL || CHUNK - p->used < size) && !take_chunk(p))
        return NULL;
    void *block = p->chunk + p->used;
    p->used += size;
    return block;
}

void pool_free(pool *p, void *block, size_t size) {
    if (block != NULL)
        push(p, block, aligned(size));
}

void pool_delete(pool *p) {
    if (p == NULL)
        return;
    free(p); /* the blocks are all freed already */
}
