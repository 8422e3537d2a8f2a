/* hooks.c: the preload's interposition.  Every allocation entry point of
 * the C library is defined here, forwarded to the allocator the program
 * would have used without heapbook, and reported to the recorder
 * (recorder.h) by address and size.
 *
 * The allocator is, by default, the next definition after this library in
 * the dynamic linker's search order (dlsym(RTLD_NEXT)): glibc's malloc, or
 * the jemalloc or tcmalloc a program links.  So the program keeps its own
 * allocator, its speed and its resident memory.  Built with
 * HEAPBOOK_FORWARD_TO_MIMALLOC (libheapbook-preload-mimalloc.so, `heapbook
 * run --mimalloc`) it is mimalloc instead, as the workbook's tests use.
 *
 * Until the next allocator is known (the very first call, which asks the
 * dynamic linker, and the dynamic linker may itself call calloc) requests
 * are served from a small static arena, never freed.
 *
 * The list of functions is one table, ALLOCATOR_FUNCTIONS: the struct of
 * the next allocator's functions and their lookup are generated from it,
 * so a function cannot be hooked and left unresolved. */
#include "capture.h"
#include "recorder.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h> /* memalign & co., which this file defines */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HEAPBOOK_FORWARD_TO_MIMALLOC
#include <mimalloc.h>
#endif

/*  X(name, return type, parameters) */
#define ALLOCATOR_FUNCTIONS(X)                                                                     \
    X(malloc, void *, (size_t size))                                                               \
    X(calloc, void *, (size_t count, size_t size))                                                 \
    X(realloc, void *, (void *ptr, size_t size))                                                   \
    X(reallocarray, void *, (void *ptr, size_t count, size_t size))                                \
    X(free, void, (void *ptr))                                                                     \
    X(posix_memalign, int, (void **result, size_t alignment, size_t size))                         \
    X(aligned_alloc, void *, (size_t alignment, size_t size))                                      \
    X(memalign, void *, (size_t alignment, size_t size))                                           \
    X(valloc, void *, (size_t size))                                                               \
    X(pvalloc, void *, (size_t size))                                                              \
    X(malloc_usable_size, size_t, (void *ptr))

#ifdef HEAPBOOK_FORWARD_TO_MIMALLOC
const int hooks_allocator = CAPTURE_ALLOCATOR_MIMALLOC;
#else
const int hooks_allocator = CAPTURE_ALLOCATOR_PROGRAM;
#endif

/* The library is built with hidden symbols: these are what it exists to
 * export. */
#define HOOK __attribute__((visibility("default")))

#define CALLER ((uintptr_t)__builtin_return_address(0))
/* Where CALLER sits on the stack: just above the frame pointer the builtin
 * makes the entry point keep (x86-64; see stack_memo.h). */
#if defined(__x86_64__)
#define CALLER_SLOT ((const uintptr_t *)__builtin_frame_address(0) + 1)
#else
#define CALLER_SLOT NULL
#endif
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The X-macros below paste a type and a parameter list, which parentheses
 * would break: each is exempt from bugprone-macro-parentheses. */
static struct {
// NOLINTNEXTLINE(bugprone-macro-parentheses)
#define FIELD(name, type, parameters) type(*name) parameters;
    ALLOCATOR_FUNCTIONS(FIELD)
#undef FIELD
} next;

/* ---- the arena for the calls made while the next allocator is looked up */

enum { ARENA_BYTES = 64 * 1024, ARENA_ALIGN = 16 };
static _Alignas(ARENA_ALIGN) unsigned char arena[ARENA_BYTES];
static _Atomic size_t arena_used;

/* Each arena block is preceded by its size, in ARENA_ALIGN bytes. */
static void *arena_allocate(size_t size) {
    size_t rounded = (size + 2 * ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    size_t at = atomic_fetch_add(&arena_used, rounded);
    if (size > ARENA_BYTES || at + rounded > ARENA_BYTES) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(arena + at, &size, sizeof size);
    return arena + at + ARENA_ALIGN; /* static storage: already zero */
}

static bool in_arena(const void *ptr) {
    return (const unsigned char *)ptr >= arena && (const unsigned char *)ptr < arena + ARENA_BYTES;
}

static size_t arena_size(const void *ptr) {
    size_t size;
    memcpy(&size, (const unsigned char *)ptr - ARENA_ALIGN, sizeof size);
    return size;
}

/* ---- finding the next allocator */

enum { UNRESOLVED, RESOLVING, RESOLVED };
static _Atomic int resolution;
static __thread bool resolving_here __attribute__((tls_model("initial-exec")));

static void resolve(void) {
#ifdef HEAPBOOK_FORWARD_TO_MIMALLOC
#define LOOKUP(name, type, parameters) next.name = (type(*) parameters)mi_##name;
#else
// NOLINTNEXTLINE(bugprone-macro-parentheses): see FIELD
#define LOOKUP(name, type, parameters) next.name = (type(*) parameters)dlsym(RTLD_NEXT, #name);
#endif
    ALLOCATOR_FUNCTIONS(LOOKUP)
#undef LOOKUP
    if (next.malloc == NULL || next.free == NULL || next.calloc == NULL || next.realloc == NULL) {
        static const char message[] = "heapbook: no malloc after libheapbook-preload.so\n";
        if (write(STDERR_FILENO, message, sizeof message - 1) < 0)
            _exit(127);
        _exit(127);
    }
}

/* True once `next` can be called; false while this thread is looking it up
 * (its calls are served from the arena). */
static bool ready(void) {
    if (__builtin_expect(atomic_load_explicit(&resolution, memory_order_acquire) == RESOLVED, 1))
        return true;
    if (resolving_here)
        return false;
    int expected = UNRESOLVED;
    if (atomic_compare_exchange_strong(&resolution, &expected, RESOLVING)) {
        resolving_here = true;
        resolve();
        resolving_here = false;
        atomic_store_explicit(&resolution, RESOLVED, memory_order_release);
    } else {
        while (atomic_load_explicit(&resolution, memory_order_acquire) != RESOLVED)
            sched_yield();
    }
    return true;
}

/* ---- the entry points */

static void *recorded(void *ptr, size_t size, uintptr_t caller, const uintptr_t *caller_slot) {
    if (ptr != NULL && !recorder_guard)
        recorder_allocated(ptr, size, caller, caller_slot);
    return ptr;
}

HOOK void *malloc(size_t size) {
    if (UNLIKELY(!ready()))
        return arena_allocate(size);
    return recorded(next.malloc(size), size, CALLER, CALLER_SLOT);
}

HOOK void *calloc(size_t count, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    if (UNLIKELY(!ready()))
        return arena_allocate(bytes);
    return recorded(next.calloc(count, size), bytes, CALLER, CALLER_SLOT);
}

HOOK void free(void *ptr) {
    /* Not ready: this thread is looking up the allocator, and this block
     * cannot be the arena's nor known to the allocator yet. */
    if (ptr == NULL || UNLIKELY(in_arena(ptr)) || UNLIKELY(!ready()))
        return;
    /* The allocator's free reads the block's header first, often a miss:
     * asked for now, it comes in while the free is recorded.  A prefetch
     * only reads, and never faults. */
    __builtin_prefetch((const char *)ptr - 2 * sizeof(size_t));
    if (!recorder_guard)
        recorder_freeing(ptr);
    next.free(ptr);
}

/* A block of the arena moves to the real allocator when it grows. */
static void *move_out_of_arena(void *ptr, size_t size, uintptr_t caller,
                               const uintptr_t *caller_slot) {
    void *moved =
        ready() ? recorded(next.malloc(size), size, caller, caller_slot) : arena_allocate(size);
    if (moved != NULL) {
        size_t old = arena_size(ptr);
        memcpy(moved, ptr, old < size ? old : size);
    }
    return moved;
}

static void *resize(void *ptr, size_t size, uintptr_t caller, const uintptr_t *caller_slot) {
    if (UNLIKELY(in_arena(ptr)))
        return move_out_of_arena(ptr, size, caller, caller_slot);
    if (UNLIKELY(!ready()))
        return arena_allocate(size);
    bool recording = !recorder_guard;
    if (ptr != NULL && recording)
        recorder_freeing(ptr);
    void *resized = next.realloc(ptr, size);
    if (recording && resized != NULL)
        recorder_allocated(resized, size, caller, caller_slot);
    else if (recording && ptr != NULL && size != 0) /* failed: the old block stays */
        recorder_kept(ptr);
    return resized;
}

HOOK void *realloc(void *ptr, size_t size) { return resize(ptr, size, CALLER, CALLER_SLOT); }

HOOK void *reallocarray(void *ptr, size_t count, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return resize(ptr, bytes, CALLER, CALLER_SLOT);
}

HOOK int posix_memalign(void **result, size_t alignment, size_t size) {
    if (UNLIKELY(!ready()))
        return ENOMEM;
    int status = next.posix_memalign(result, alignment, size);
    if (status == 0)
        recorded(*result, size, CALLER, CALLER_SLOT);
    return status;
}

/* The aligned entry points; an allocator without one fails it. */
#define ALIGNED_ENTRY(name, parameters, call, size)                                                \
    HOOK void *name parameters {                                                                   \
        if (UNLIKELY(!ready()) || next.name == NULL) {                                             \
            errno = ENOMEM;                                                                        \
            return NULL;                                                                           \
        }                                                                                          \
        return recorded(next.name call, size, CALLER, CALLER_SLOT);                                \
    }
ALIGNED_ENTRY(aligned_alloc, (size_t alignment, size_t size), (alignment, size), size)
ALIGNED_ENTRY(memalign, (size_t alignment, size_t size), (alignment, size), size)
ALIGNED_ENTRY(valloc, (size_t size), (size), size)
/* pvalloc hands out whole pages, which the caller may use: it counts them,
 * as the harness does. */
static size_t whole_pages(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return size == 0 ? page : (size + page - 1) / page * page;
}
ALIGNED_ENTRY(pvalloc, (size_t size), (size), whole_pages(size))

HOOK size_t malloc_usable_size(void *ptr) {
    if (ptr == NULL)
        return 0;
    if (in_arena(ptr))
        return arena_size(ptr);
    return ready() && next.malloc_usable_size ? next.malloc_usable_size(ptr) : 0;
}
