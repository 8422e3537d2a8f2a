/* Helpers shared by the harness's own tests.  Unlike an exercise's suite,
 * these see the harness's internals (every layer's header). */
#ifndef MEASURE_H
#define MEASURE_H

#include "runner/protocol.h"

/* Runs `code` in a scope of its own and returns what the scope counted. */
hb_usage measure(void (*code)(void));

/* Like measure(), with stacks, keeping the scope for the caller to inspect
 * and hb_scope_release(). */
hb_scope *measure_with_stacks(void (*code)(void));

/* Every byte of the block is readable and writable: touches them all. */
void touch(void *block, size_t size);

#endif
