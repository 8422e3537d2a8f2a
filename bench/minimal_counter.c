/* minimal_counter: the least an exact counter of requested bytes needs, for
 * comparison with the harness (bench/instructions.sh): a header holding the
 * size asked for, a thread's own totals, and mimalloc behind.  No scopes,
 * no stacks, no checks: a floor, not a harness.  Linked into the program,
 * so its malloc and free are the ones every call reaches. */
#include <mimalloc.h>
#include <stddef.h>
#include <string.h>

enum { HEADER = 16 }; /* the payload keeps mimalloc's 16-byte alignment */

static __thread size_t live, peak, total, allocations __attribute__((tls_model("initial-exec")));

static void *counted(void *start, size_t size) {
    if (start == NULL)
        return NULL;
    *(size_t *)start = size;
    live += size;
    total += size;
    allocations++;
    if (live > peak)
        peak = live;
    return (char *)start + HEADER;
}

void *malloc(size_t size) { return counted(mi_malloc(size + HEADER), size); }

void *calloc(size_t count, size_t size) {
    return counted(mi_zalloc(count * size + HEADER), count * size);
}

void free(void *ptr) {
    if (ptr == NULL)
        return;
    char *start = (char *)ptr - HEADER;
    live -= *(size_t *)start;
    mi_free(start);
}

void *realloc(void *ptr, size_t size) {
    if (ptr == NULL)
        return malloc(size);
    char *start = (char *)ptr - HEADER;
    size_t old = *(size_t *)start;
    char *moved = mi_realloc(start, size + HEADER);
    if (moved == NULL)
        return NULL;
    live -= old;
    return counted(moved, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    (void)alignment; /* 16 at most in what it is compared on */
    return malloc(size);
}

size_t malloc_usable_size(void *ptr) { return ptr ? *(size_t *)((char *)ptr - HEADER) : 0; }
