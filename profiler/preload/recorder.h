/* recorder.h: the one narrow API between the preload's interposition
 * (hooks.c) and its recording (recorder.c), as in heaptrack's
 * libheaptrack.h and memray's tracking API.
 *
 * The hooks call the program's own allocator (or mimalloc) and tell the
 * recorder what happened, by address and size only: no header, no table of
 * blocks.  Every function here is safe to call from any thread at any time,
 * before any constructor has run; each returns at once when nothing is
 * being recorded (no HEAPBOOK_CHANNEL, a process not followed, the
 * recorder's own allocations). */
#ifndef HEAPBOOK_RECORDER_H
#define HEAPBOOK_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The guard: set while the recorder itself runs (capturing a stack may
 * make libunwind allocate), so that those allocations go through to the
 * allocator unrecorded.  Thread-local, initial-exec: the general-dynamic
 * model may call malloc on first access. */
extern __thread int recorder_guard __attribute__((tls_model("initial-exec")));

/* Which allocator the hooks forward to (capture.h's CAPTURE_ALLOCATOR_*):
 * defined by hooks.c, as it was built. */
extern const int hooks_allocator;

/* `ptr` (not NULL) was just allocated with `size` bytes requested, by code
 * whose return address is `caller`, which sits at `caller_slot` on the
 * stack (or NULL: stack_memo.h). */
void recorder_allocated(void *ptr, size_t size, uintptr_t caller, const uintptr_t *caller_slot);

/* `ptr` (not NULL) is about to be freed: call it before the allocator's
 * free, so that no other thread can be handed the address, and record it,
 * before this free is recorded. */
void recorder_freeing(void *ptr);

/* A realloc of `ptr` failed after recorder_freeing(ptr): it is live again. */
void recorder_kept(void *ptr);

/* The process is about to replace its program with `path` (failed: its
 * exec failed, and the program goes on): heapbook run then waits for the
 * new program's stream, and says so if none comes. */
void recorder_exec(const char *path, bool failed);

#endif
