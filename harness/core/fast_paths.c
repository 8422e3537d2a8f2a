/* fast_paths.c: malloc(), calloc() and free() as most calls need them:
 * the program's own code, counted in a scope without stacks by the only
 * thread, inline (internal.h); everything else in entry_points.c.
 *
 * Compiled without a frame pointer (mk/harness.mk; what that saves a pair:
 * docs/performance.md).  Every way out into the rest of the harness is a
 * tail call, which restores the caller's frame pointer before it jumps:
 * the stack walk of stacks.c finds the caller's frame whole.  A compiler
 * that made one an ordinary call would only send that walk to libunwind
 * (the harness's tests count such walks). */
#include "internal.h"

#if !HB_SANITIZED

#pragma GCC visibility push(default)

void *malloc(size_t size) {
    hb_scope *plain = hb_plain_scope_for(HB_CALLER);
    /* Decided before mimalloc is called (no fault is armed while a scope
     * is plain: internal.h), so the caller's address is not kept across
     * it.  A small block, as most are, comes from mimalloc's small-block
     * path, which skips its own size test (the bound here is that test). */
    if (plain != NULL && size <= HB_SMALL_PAYLOAD_MAX) {
        void *start = mi_malloc_small(size + HB_BLOCK_HEADER + HB_BLOCK_GUARD);
        return start != NULL ? hb_counted_plainly(plain, start, size) : NULL;
    }
    return hb_allocate_generally(size, false, HB_CALLER);
}

void *calloc(size_t count, size_t size) {
    size_t bytes, gross;
    if (!hb_array_bytes(count, size, &bytes))
        return NULL;
    hb_scope *plain = hb_plain_scope_for(HB_CALLER);
    if (plain != NULL && hb_blocks_gross_size(bytes, &gross)) {
        void *start = mi_zalloc(gross);
        return start != NULL ? hb_counted_plainly(plain, start, bytes) : NULL;
    }
    return hb_allocate_generally(bytes, true, HB_CALLER);
}

void free(void *ptr) { hb_release_quickly(ptr, "free", HB_CALLER); }

/* Old and foreign spellings that libmimalloc.so exports too (the rest are
 * in entry_points.c). */
void cfree(void *ptr) HB_ALIAS(free);
void vfree(void *ptr) HB_ALIAS(free);
void *__libc_malloc(size_t size) HB_ALIAS(malloc);
void *__libc_calloc(size_t count, size_t size) HB_ALIAS(calloc);
void __libc_free(void *ptr) HB_ALIAS(free);
void __libc_cfree(void *ptr) HB_ALIAS(free);

#pragma GCC visibility pop

#endif /* !HB_SANITIZED */
