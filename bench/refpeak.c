/* refpeak.so: the reference for bench/accuracy.sh, the simplest counter of
 * requested bytes that can be trusted, written apart from the harness so
 * that it shares none of its code or its mistakes.
 *
 *   REFPEAK_OUT=FILE LD_PRELOAD=build/bench/refpeak.so PROGRAM...
 *
 * writes "peak BYTES" to FILE when the program exits.  It wraps glibc's
 * malloc & co. (dlsym RTLD_NEXT) and keeps every live block's requested size
 * in one table under one mutex: slow, and exact, with the harness's rules
 * (docs/harness.md): malloc(0) is a block of 0 bytes, realloc frees the old
 * block and allocates the new, realloc(p, 0) frees, pvalloc counts whole
 * pages. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct entry {
    uintptr_t address; /* 0: empty */
    size_t size;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *table;
static size_t slots, used; /* slots: a power of two */
static size_t live, peak;
static bool counting; /* from the constructor to the destructor */

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

/* dlsym may itself call calloc before the real one is known. */
static unsigned char bootstrap[4096];
static size_t bootstrap_used;

static size_t home(uintptr_t address) {
    return (size_t)(((uint64_t)address * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (slots - 1);
}

static void put(uintptr_t address, size_t size);

static void grow(void) {
    entry *old = table;
    size_t old_slots = slots;
    slots = slots ? slots * 2 : 1 << 16;
    table = mmap(NULL, slots * sizeof *table, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
    if (table == MAP_FAILED)
        abort();
    used = 0;
    for (size_t i = 0; i < old_slots; i++)
        if (old[i].address != 0)
            put(old[i].address, old[i].size);
    if (old != NULL)
        munmap(old, old_slots * sizeof *old);
}

static void put(uintptr_t address, size_t size) {
    if (2 * (used + 1) > slots)
        grow();
    size_t i = home(address);
    while (table[i].address != 0)
        i = (i + 1) & (slots - 1);
    table[i] = (entry){address, size};
    used++;
}

/* Removes `address`; its size, or false if it is not a live block. */
static bool take(uintptr_t address, size_t *size) {
    if (slots == 0)
        return false;
    size_t i = home(address);
    while (table[i].address != 0 && table[i].address != address)
        i = (i + 1) & (slots - 1);
    if (table[i].address == 0)
        return false;
    *size = table[i].size;
    /* Re-insert the rest of the probe run: simple and correct. */
    table[i].address = 0;
    used--;
    for (size_t j = (i + 1) & (slots - 1); table[j].address != 0; j = (j + 1) & (slots - 1)) {
        entry moved = table[j];
        table[j].address = 0;
        used--;
        put(moved.address, moved.size);
    }
    return true;
}

static void *allocated(void *ptr, size_t size) {
    if (ptr == NULL || !counting)
        return ptr;
    pthread_mutex_lock(&lock);
    put((uintptr_t)ptr, size);
    live += size;
    if (live > peak)
        peak = live;
    pthread_mutex_unlock(&lock);
    return ptr;
}

static void freed(void *ptr) {
    if (ptr == NULL)
        return;
    pthread_mutex_lock(&lock);
    size_t size;
    if (take((uintptr_t)ptr, &size))
        live -= size;
    pthread_mutex_unlock(&lock);
}

static bool in_bootstrap(void *ptr) {
    return (unsigned char *)ptr >= bootstrap && (unsigned char *)ptr < bootstrap + sizeof bootstrap;
}

#define RESOLVE(name) real_##name = (__typeof__(real_##name))dlsym(RTLD_NEXT, #name)

__attribute__((constructor)) static void start(void) {
    RESOLVE(malloc);
    RESOLVE(free);
    RESOLVE(calloc);
    RESOLVE(realloc);
    RESOLVE(posix_memalign);
    RESOLVE(aligned_alloc);
    RESOLVE(memalign);
    RESOLVE(valloc);
    RESOLVE(pvalloc);
    counting = true;
}

__attribute__((destructor)) static void finish(void) {
    counting = false;
    const char *out = getenv("REFPEAK_OUT");
    if (out == NULL)
        return;
    char line[64];
    int n = snprintf(line, sizeof line, "peak %zu\n", peak);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (write(fd, line, (size_t)n) != n)
            perror("refpeak");
        close(fd);
    }
}

void *malloc(size_t size) {
    if (real_malloc == NULL)
        RESOLVE(malloc);
    return allocated(real_malloc(size), size);
}

void *calloc(size_t count, size_t size) {
    if (real_calloc == NULL) { /* dlsym's own, before we know calloc */
        size_t bytes = (count * size + 15) & ~(size_t)15;
        if (bootstrap_used + bytes > sizeof bootstrap)
            return NULL;
        void *ptr = bootstrap + bootstrap_used;
        bootstrap_used += bytes;
        return ptr; /* static memory: already zero */
    }
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return allocated(real_calloc(count, size), bytes);
}

void free(void *ptr) {
    if (ptr == NULL || in_bootstrap(ptr))
        return;
    freed(ptr);
    real_free(ptr);
}

void *realloc(void *ptr, size_t size) {
    if (ptr == NULL)
        return malloc(size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    /* Hold the lock across: another thread must not be handed `ptr`'s
     * address and record it before we forget the old block. */
    pthread_mutex_lock(&lock);
    void *moved = real_realloc(ptr, size);
    if (moved != NULL && counting) {
        size_t old;
        if (take((uintptr_t)ptr, &old))
            live -= old;
        put((uintptr_t)moved, size);
        live += size;
        if (live > peak)
            peak = live;
    }
    pthread_mutex_unlock(&lock);
    return moved;
}

void *reallocarray(void *ptr, size_t count, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(ptr, bytes);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    int error = real_posix_memalign(result, alignment, size);
    if (error == 0)
        allocated(*result, size);
    return error;
}

void *aligned_alloc(size_t alignment, size_t size) {
    return allocated(real_aligned_alloc(alignment, size), size);
}

void *memalign(size_t alignment, size_t size) {
    return allocated(real_memalign(alignment, size), size);
}

void *valloc(size_t size) { return allocated(real_valloc(size), size); }

void *pvalloc(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded = size == 0 ? page : (size + page - 1) & ~(page - 1);
    return allocated(real_pvalloc(size), rounded);
}
