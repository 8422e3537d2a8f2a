/* stack_memo: the call stacks of a thread's recent allocations, each kept
 * with where its return addresses sit on the stack, so that the next
 * allocation from the same place with the same callers is known by reading
 * those few words instead of unwinding the whole stack again: a loop that
 * allocates pays for its stack once.
 *
 * Why it is exact: on x86-64 a call stores the return address just below
 * the caller's stack pointer, at a fixed place for as long as the frame
 * lives.  A memo entry holds, for each frame of a stack, that place and the
 * address it held (found with libunwind, frame by frame, the first time).
 * An allocation whose own return address sits at the same place with the
 * same value, and whose every older frame's place still holds the same
 * return address, has the same frames: each frame's place follows from the
 * frame below and the code it returns to.  (A frame that changes size
 * between calls, with alloca, moves every place above it, and a moved place
 * no longer holds its return address: the check fails and the stack is
 * unwound.)
 *
 * Elsewhere than x86-64 every stack is unwound (harness/core/stacks.c). */
#ifndef HEAPBOOK_STACK_MEMO_H
#define HEAPBOOK_STACK_MEMO_H

#include <stdint.h>

/* The stack id (harness/core/core.h's hb_stacks_capture()) of the code that
 * called the allocator: `caller` is its return address, `caller_slot`
 * where that address sits on the stack (NULL if unknown). */
uint32_t stack_memo_capture(uintptr_t caller, const uintptr_t *caller_slot);

#endif
