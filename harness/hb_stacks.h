/* hb_stacks: captures call stacks and stores each distinct one once.
 *
 * A stack is the list of return addresses from the code that called the
 * allocator outwards, unwound with libunwind (which reads the .eh_frame
 * tables, so it works without frame pointers, also through libc).  Equal
 * stacks share one id, so a million allocations from one loop cost one entry.
 * Ids are dense, starting at 1; 0 means "no stack". */
#ifndef HB_STACKS_H
#define HB_STACKS_H

#include <stddef.h>
#include <stdint.h>

enum { HB_STACK_MAX_FRAMES = 48 };

/* Captures the current stack starting at the frame that returns to `caller`
 * (the return address of the allocator entry point), so the allocator's own
 * frames are left out.  Returns the stack's id, or 0 if it cannot be stored. */
uint32_t hb_stacks_capture(uintptr_t caller);

/* Copies up to HB_STACK_MAX_FRAMES frames of stack `id` into `frames`,
 * innermost first; returns how many.  Unknown ids give 0. */
size_t hb_stacks_frames(uint32_t id, uintptr_t frames[HB_STACK_MAX_FRAMES]);

/* The highest id handed out so far. */
uint32_t hb_stacks_count(void);

void hb_stacks_lock(void);
void hb_stacks_unlock(void);

#endif
