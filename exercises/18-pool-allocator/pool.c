/* Exercise 18: An allocator of your own.  The pool (pool.h).
 *
 * The starter is an arena: it cuts blocks one after another from chunks
 * of ARENA_CHUNK bytes taken with malloc, and never reuses a block, so
 * pool_free() has nothing to do; pool_delete() frees the chunks.  It is
 * correct and fast, and the memory it takes only ever grows.
 *
 * A chunk starts with the address of the chunk taken before it, so that
 * pool_delete() can find them all:
 *
 *     chunk: [ previous chunk | padding to 16 | block | block | ... ]
 */
#include "pool.h"

#include <stdbool.h>
#include <stdlib.h>

enum { ARENA_CHUNK = 64 * 1024 };

struct pool {
    unsigned char *chunk; /* the last chunk taken, NULL if none */
    size_t used;          /* bytes of it cut so far */
};

/* The chunk's header: the chunk before it, padded to the alignment. */
typedef struct chunk_header {
    unsigned char *previous;
} chunk_header;
enum { HEADER = (sizeof(chunk_header) + POOL_ALIGNMENT - 1) / POOL_ALIGNMENT * POOL_ALIGNMENT };

static size_t aligned(size_t size) {
    return (size + POOL_ALIGNMENT - 1) / POOL_ALIGNMENT * POOL_ALIGNMENT;
}

pool *pool_new(void) {
    pool *p = malloc(sizeof *p);
    if (p != NULL) {
        p->chunk = NULL;
        p->used = 0;
    }
    return p;
}

/* A new chunk, linked before the others; false if memory ran out. */
static bool take_chunk(pool *p) {
    unsigned char *chunk = malloc(ARENA_CHUNK);
    if (chunk == NULL)
        return false;
    ((chunk_header *)chunk)->previous = p->chunk;
    p->chunk = chunk;
    p->used = HEADER;
    return true;
}

void *pool_alloc(pool *p, size_t size) {
    if (size == 0 || size > POOL_LARGEST)
        return NULL;
    size = aligned(size);
    if ((p->chunk == NULL || ARENA_CHUNK - p->used < size) && !take_chunk(p))
        return NULL;
    void *block = p->chunk + p->used;
    p->used += size;
    return block;
}

void pool_free(pool *p, void *block, size_t size) {
    (void)p;
    (void)block;
    (void)size; /* an arena frees everything at once, in pool_delete() */
}

void pool_delete(pool *p) {
    if (p == NULL)
        return;
    for (unsigned char *chunk = p->chunk, *previous; chunk != NULL; chunk = previous) {
        previous = ((chunk_header *)chunk)->previous;
        free(chunk);
    }
    free(p);
}
