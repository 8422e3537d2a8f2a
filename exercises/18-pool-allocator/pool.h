/* Exercise 18: An allocator of your own.  The contract the tests check; do
 * not change it.
 *
 * A pool hands out small blocks, 1 to POOL_LARGEST bytes, each aligned to
 * POOL_ALIGNMENT, and takes them back one at a time.  It gets its own
 * memory from malloc in chunks, as few and as small as it can, and gives
 * all of it back in pool_delete().  The caller says a block's size again
 * when freeing it, as C++'s sized delete does: a pool need not store it. */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

enum { POOL_LARGEST = 256, POOL_ALIGNMENT = 16 };

typedef struct pool pool;

/* A new, empty pool, or NULL if memory ran out. */
pool *pool_new(void);

/* A block of `size` bytes (1 to POOL_LARGEST), aligned to POOL_ALIGNMENT,
 * overlapping no other live block; its bytes are not cleared.  NULL if
 * size is out of range or memory ran out. */
void *pool_alloc(pool *p, size_t size);

/* Takes back `block`, which pool_alloc(p, size) returned and which was
 * not freed since; `size` is the size it was asked for.  NULL does
 * nothing. */
void pool_free(pool *p, void *block, size_t size);

/* Gives back every chunk the pool took, and the pool; the blocks still
 * out die with it.  NULL does nothing. */
void pool_delete(pool *p);

#endif
