#include "hb_track.h"

#include "hb_blocks.h"
#include "hb_guard.h"
#include "hb_misuse.h"
#include "hb_scope.h"
#include "hb_stacks.h"

#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__thread int hb_guard_depth __attribute__((tls_model("initial-exec")));

/* Address ranges of the executable code of excluded libraries. */
enum { MAX_EXCLUDED = 8 };
typedef struct code_range {
    uintptr_t start, end;
} code_range;
static code_range excluded[MAX_EXCLUDED];
static _Atomic int excluded_count;

bool hb_track_in_excluded_library(uintptr_t caller) {
    int count = excluded_count;
    for (int i = 0; i < count; i++)
        if (caller >= excluded[i].start && caller < excluded[i].end)
            return true;
    return false;
}

typedef struct exclude_request {
    const char *name;
    bool found;
} exclude_request;

static int exclude_matching(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    exclude_request *request = data;
    if (info->dlpi_name == NULL || strstr(info->dlpi_name, request->name) == NULL)
        return 0;
    for (int i = 0; i < info->dlpi_phnum && excluded_count < MAX_EXCLUDED; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            excluded[excluded_count] = (code_range){start, start + ph->p_memsz};
            excluded_count++;
            request->found = true;
        }
    }
    return 0;
}

bool hb_track_exclude_library(const char *name) {
    exclude_request request = {.name = name};
    hb_guard_enter();
    dl_iterate_phdr(exclude_matching, &request);
    hb_guard_leave();
    return request.found;
}

static const hb_track_observer *observer;

void hb_track_observe(const hb_track_observer *new_observer) { observer = new_observer; }

void hb_track_alloc(void *ptr, size_t size, uint32_t gap_shift, uintptr_t caller) {
    hb_block block = {.address = (uintptr_t)ptr, .size = size, .gap_shift = gap_shift};
    if (!hb_guard_active() && hb_scopes_any_open() && !hb_track_in_excluded_library(caller)) {
        hb_guard_enter(); /* unwinding may allocate: keep that out */
        hb_scopes_count_alloc(&block, caller);
        if (observer != NULL && block.scope_id != 0)
            observer->allocated(&block);
        hb_guard_leave();
    }
    hb_blocks_insert(block.address, block.size, block.scope_id, block.stack_id, block.gap_shift);
}

void *hb_track_take(void *ptr, hb_block *taken) { return hb_blocks_remove((uintptr_t)ptr, taken); }

void hb_track_restore(const hb_block *taken) {
    hb_blocks_insert(taken->address, taken->size, taken->scope_id, taken->stack_id,
                     taken->gap_shift);
}

void hb_track_count_free(const hb_block *taken, uintptr_t caller) {
    /* Counted by no scope: nothing to uncount, nothing to tell the observer
     * or to remember (only blocks with a stack are). */
    if (taken->scope_id == 0)
        return;
    hb_guard_enter();
    hb_scopes_count_free(taken);
    if (observer != NULL)
        observer->freed(taken);
    hb_misuse_remember_free(taken, caller);
    hb_guard_leave();
}

void *hb_track_free(void *ptr, uintptr_t caller) {
    hb_block block;
    void *allocation = hb_track_take(ptr, &block);
    if (allocation != NULL)
        hb_track_count_free(&block, caller);
    return allocation;
}

/* fork(): the child gets a copy of every table; holding their locks across
 * the fork makes sure no copy is caught half-updated by another thread.
 * (Block headers need none: each is written only by its block's owner.) */
static void before_fork(void) {
    hb_scopes_lock_all();
    hb_stacks_lock();
}

static void after_fork(void) {
    hb_stacks_unlock();
    hb_scopes_unlock_all();
}

static void after_fork_in_child(void) {
    after_fork();
    hb_scopes_forked_child();
}

__attribute__((constructor)) static void register_fork_handlers(void) {
    hb_guard_enter();
    pthread_atfork(before_fork, after_fork, after_fork_in_child);
    hb_guard_leave();
}
