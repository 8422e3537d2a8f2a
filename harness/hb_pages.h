/* hb_pages: memory for the harness's own tables, straight from the kernel.
 *
 * The harness never uses malloc for its bookkeeping: that would recurse into
 * the counting allocator and would show up in the student's heap.  Tables are
 * sized in whole pages with mmap and are never counted anywhere. */
#ifndef HB_PAGES_H
#define HB_PAGES_H

#include <stddef.h>

/* Returns zero-filled memory of at least `bytes`, or NULL if the kernel
 * refuses.  Release it with hb_pages_free(p, bytes) using the same size. */
void *hb_pages_alloc(size_t bytes);
void hb_pages_free(void *pages, size_t bytes);

#endif
