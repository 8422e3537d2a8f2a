/* track.c: what happens to each allocation, between the entry points and
 * the accounting (internal.h: the tracker); the guard; fork; and the code
 * whose own allocations are not the measured code's (core.h: Excluded
 * code), which the tracker counts in no scope. */
#include "internal.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

HB_THREAD_LOCAL int hb_guard_depth;

/* The module's state: who listens (hb_hot.observer_count of them), and
 * who reports a memory error. */
static struct {
    const hb_track_observer *observers[HB_MAX_OBSERVERS];
    hb_memory_error_handler memory_error_handler;
} state;

bool hb_track_observe(const hb_track_observer *observer) {
    unsigned count = atomic_load(&hb_hot.observer_count);
    if (count == HB_MAX_OBSERVERS)
        return false;
    state.observers[count] = observer;
    atomic_store(&hb_hot.observer_count, count + 1);
    hb_scopes_refresh();
    return true;
}

bool hb_track_unobserve(const hb_track_observer *observer) {
    unsigned count = atomic_load(&hb_hot.observer_count);
    for (unsigned i = 0; i < count; i++) {
        if (state.observers[i] != observer)
            continue;
        memmove(&state.observers[i], &state.observers[i + 1],
                // NOLINTNEXTLINE(bugprone-sizeof-expression): the elements are pointers
                (count - i - 1) * sizeof state.observers[0]);
        atomic_store(&hb_hot.observer_count, count - 1);
        hb_scopes_refresh();
        return true;
    }
    return false;
}

void hb_track_on_memory_error(hb_memory_error_handler handler) {
    state.memory_error_handler = handler;
}

_Noreturn void hb_track_memory_error(const hb_memory_error *error) {
    hb_guard_enter(); /* from here on nothing is counted */
    if (state.memory_error_handler != NULL)
        state.memory_error_handler(error);
    /* write(2), not stdio: a broken heap may have broken stdio too. */
    static const char *const messages[] = {
        [HB_BAD_FREE] = "heapbook: a double or invalid free or realloc\n",
        [HB_OVERFLOW] = "heapbook: bytes written past the end of a block\n",
        [HB_WRITE_AFTER_FREE] = "heapbook: bytes written to a block after it was freed\n",
        [HB_HIDDEN_MEMORY] = "heapbook: sbrk() or brk() by measured code\n",
    };
    (void)write(STDERR_FILENO, messages[error->kind], strlen(messages[error->kind]));
    abort();
}

_Noreturn void hb_track_bad_free(const char *function, void *ptr, uintptr_t caller) {
    hb_track_memory_error(&(hb_memory_error){
        .kind = HB_BAD_FREE, .function = function, .ptr = ptr, .caller = caller});
}

/* Tells the observers of a block just counted: out of line, so that an
 * allocation no one observes saves no register for the loop. */
__attribute__((noinline)) static void tell_allocated(const hb_block *block) {
    unsigned count = atomic_load_explicit(&hb_hot.observer_count, memory_order_relaxed);
    for (unsigned i = 0; i < count; i++)
        if (state.observers[i]->allocated != NULL)
            state.observers[i]->allocated(block);
}

/* The same for a block just uncounted. */
__attribute__((noinline)) static void tell_freed(const hb_block *block, uintptr_t caller) {
    unsigned count = atomic_load_explicit(&hb_hot.observer_count, memory_order_relaxed);
    for (unsigned i = 0; i < count; i++)
        if (state.observers[i]->freed != NULL)
            state.observers[i]->freed(block, caller);
}

void *hb_track_alloc(void *ptr, size_t size, uint32_t gap_shift, uintptr_t caller) {
    hb_block block = {.address = (uintptr_t)ptr, .size = size, .gap_shift = gap_shift};
    if (hb_guard_lets_count() && hb_scopes_any_open() && !hb_in_excluded_library(caller)) {
        hb_guard_enter(); /* unwinding may allocate: keep that out */
        hb_scopes_count_alloc(&block, caller, __builtin_frame_address(0));
        if (block.scope_id != 0 && !hb_counting_plainly() &&
            atomic_load_explicit(&hb_hot.observer_count, memory_order_relaxed) != 0)
            tell_allocated(&block);
        hb_guard_leave();
    }
    hb_blocks_insert(block.address, block.size, block.scope_id, block.stack_id, block.gap_shift);
    return ptr;
}

/* A block on its way out: its guard must be whole, or something wrote past
 * its end while it was live. */
static void check_guard(const hb_block *block, const char *function, uintptr_t caller) {
    size_t written = hb_blocks_overflow(block);
    if (written != 0)
        hb_track_memory_error(&(hb_memory_error){.kind = HB_OVERFLOW,
                                                 .function = function,
                                                 .ptr = (void *)block->address,
                                                 .caller = caller,
                                                 .block = *block,
                                                 .bytes = written});
}

void *hb_track_take(void *ptr, hb_block *taken, const char *function, uintptr_t caller) {
    void *allocation = hb_blocks_remove((uintptr_t)ptr, taken);
    if (allocation != NULL)
        check_guard(taken, function, caller);
    return allocation;
}

void hb_track_restore(const hb_block *taken) {
    hb_blocks_insert(taken->address, taken->size, taken->scope_id, taken->stack_id,
                     taken->gap_shift);
}

/* hb_track_count_free(), inlined into free()'s general path. */
static inline __attribute__((always_inline)) void count_free(const hb_block *taken,
                                                             uintptr_t caller) {
    /* Counted by no scope: nothing to uncount, nothing to tell anyone. */
    if (taken->scope_id == 0)
        return;
    hb_guard_enter();
    hb_scopes_count_free(taken);
    if (!hb_counting_plainly() &&
        atomic_load_explicit(&hb_hot.observer_count, memory_order_relaxed) != 0)
        tell_freed(taken, caller);
    hb_guard_leave();
}

void hb_track_count_free(const hb_block *taken, uintptr_t caller) { count_free(taken, caller); }

void hb_track_free(void *ptr, const char *function, uintptr_t caller) {
    if (ptr == NULL) /* free(NULL) does nothing: here, as the inline path skips the test */
        return;
    hb_block block;
    void *allocation = hb_blocks_remove_quickly((uintptr_t)ptr, &block);
    if (allocation == NULL)
        allocation = hb_track_take(ptr, &block, function, caller);
    if (allocation == NULL)
        hb_track_bad_free(function, ptr, caller);
    count_free(&block, caller);
    hb_release(&block, allocation, caller, __builtin_frame_address(0));
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

/* ---- excluded code */

/* The module's state: address ranges of the executable code of excluded
 * libraries, and of suppressed functions.  Appended to, never shrunk;
 * readers take no lock. */
static struct {
    hb_code_range ranges[HB_MAX_EXCLUDED];
    _Atomic int count;
} excluded;

/* Room for runner/main.c's list of the C library's caches, and more. */
enum { MAX_SUPPRESSED = 64 };

static struct {
    hb_code_range ranges[MAX_SUPPRESSED];
    _Atomic int count;
} suppressed;

bool hb_in_excluded_library_slowly(uintptr_t caller) {
    int count = atomic_load_explicit(&excluded.count, memory_order_acquire);
    for (int i = 0; i < count; i++)
        if (caller >= excluded.ranges[i].start && caller < excluded.ranges[i].end)
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
    /* The program itself has an empty name (and so does the vdso): never
     * excluded, whatever `name` is. */
    if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0' ||
        strstr(info->dlpi_name, request->name) == NULL)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        int count = atomic_load(&excluded.count);
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || count == HB_MAX_EXCLUDED)
            continue;
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        excluded.ranges[count] = (hb_code_range){start, start + ph->p_memsz};
        atomic_store_explicit(&excluded.count, count + 1, memory_order_release);
        request->found = true;
    }
    return 0;
}

bool hb_exclude_library(const char *name) {
    if (name == NULL || name[0] == '\0')
        return false;
    exclude_request request = {.name = name};
    hb_guard_enter();
    dl_iterate_phdr(exclude_matching, &request);
    hb_guard_leave();
    return request.found;
}

/* Suppresses the frames in (start, end]: a return address there is below
 * a call of a cache's. */
static bool suppress_range(uintptr_t start, uintptr_t end) {
    int count = atomic_load(&suppressed.count);
    if (count == MAX_SUPPRESSED)
        return false;
    suppressed.ranges[count] = (hb_code_range){start, end};
    atomic_store_explicit(&suppressed.count, count + 1, memory_order_release);
    hb_stacks_classify_with(hb_in_suppressed_function);
    return true;
}

bool hb_function_range(const void *function, hb_code_range *range) {
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    if (function == NULL || dladdr1(function, &info, (void **)&symbol, RTLD_DL_SYMENT) == 0 ||
        info.dli_saddr != function || symbol == NULL || symbol->st_size == 0)
        return false;
    *range = (hb_code_range){(uintptr_t)function, (uintptr_t)function + symbol->st_size};
    return true;
}

bool hb_suppress_function(const char *name) {
    hb_guard_enter(); /* dlsym may allocate its error text */
    hb_code_range range;
    bool found = hb_function_range(dlsym(RTLD_DEFAULT, name), &range);
    hb_guard_leave();
    return found && suppress_range(range.start, range.end);
}

bool hb_suppress_call_site(uintptr_t return_address) {
    return return_address != 0 && suppress_range(return_address - 1, return_address);
}

bool hb_in_suppressed_function(const uintptr_t *frames, size_t depth) {
    int count = atomic_load_explicit(&suppressed.count, memory_order_acquire);
    for (size_t f = 0; f < depth; f++)
        for (int i = 0; i < count; i++)
            if (frames[f] > suppressed.ranges[i].start && frames[f] <= suppressed.ranges[i].end)
                return true;
    return false;
}

void *hb_next_function(const char *name) {
    hb_guard_enter(); /* dlsym may allocate its error text */
    void *function = dlsym(RTLD_NEXT, name);
    hb_guard_leave();
    if (function == NULL)
        abort(); /* each caller names a function every supported glibc has */
    return function;
}
