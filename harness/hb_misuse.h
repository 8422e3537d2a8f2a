/* hb_misuse: a clear report when free() or realloc() is handed a pointer
 * that is not a live block, instead of a crash deep inside the allocator.
 *
 *   free(0x5555...): the block was already freed (a double free)
 *         freed again at: ...   first freed at: ...   allocated (24 B) at: ...
 *   free(0x5555...): not a block that malloc returned (an invalid free), or
 *         the bytes just before it were overwritten     called at: ...
 *
 * A block's header (hb_blocks.h) tells a live block, a freed one, and any
 * other pointer apart; to show where a freed block was allocated and first
 * freed, the last HB_MISUSE_MEMORY frees of blocks allocated with stacks
 * (inside a scope with HB_SCOPE_STACKS) are kept. */
#ifndef HB_MISUSE_H
#define HB_MISUSE_H

#include "hb_blocks.h"

#include <stdbool.h>
#include <stdint.h>

enum { HB_MISUSE_MEMORY = 4096 };

/* Remembers that `block` was freed by code whose return address is
 * `caller`.  Only blocks with a stack are remembered. */
void hb_misuse_remember_free(const hb_block *block, uintptr_t caller);

/* Stops (false) or resumes remembering frees; on by default.  The profiler
 * turns it off: a stack per free would double its cost. */
void hb_misuse_remember_frees(bool on);

/* Reports the bad call, then aborts.  The report goes to the reporter set
 * with hb_misuse_set_reporter(), or to stderr. */
_Noreturn void hb_misuse_fail(const char *function, void *ptr, uintptr_t caller);

/* Where reports go (the isolated test child sends them to the parent). */
void hb_misuse_set_reporter(void (*reporter)(const char *report));

#endif
