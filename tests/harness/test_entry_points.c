/* Every allocation entry point is the harness's, and each counts exactly.
 *
 * Functions are looked up by name at run time (dlsym), the way any library
 * reaches them.  The names come from what libmimalloc.so exports (written by
 * tests/harness/mimalloc-exports.sh at build time): a name the harness forgot to
 * define would resolve into libmimalloc.so and be caught here, and a name
 * this file has no call for fails too, so a new export cannot go untested. */
#define HB_SUITE_NAME "entry points"
#include "measure.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SIZE = 1000, ALIGNMENT = 256 };

static bool in_this_program(void *function) {
    Dl_info mine, theirs;
    return function != NULL && dladdr((void *)in_this_program, &mine) &&
           dladdr(function, &theirs) && mine.dli_fbase == theirs.dli_fbase;
}

/* How each exported name is called; see call_entry_point(). */
typedef enum kind {
    ALLOC,              /* void *f(size) */
    ALLOC_PAGES,        /* pvalloc: counts whole pages */
    ALLOC_ARRAY,        /* void *f(count, size) */
    ALLOC_ALIGNED,      /* void *f(alignment, size) */
    ALLOC_SIZE_ALIGNED, /* void *f(size, alignment) */
    NEW_NOTHROW,        /* void *f(size, const nothrow_t &) */
    NEW_ALIGNED_NOTHROW,
    POSIX_MEMALIGN,  /* int f(void **, alignment, size) */
    RESIZE,          /* void *f(ptr, size) */
    RESIZE_ARRAY,    /* void *f(ptr, count, size) */
    RESIZE_IN_PLACE, /* int f(void *ptr_address, count, size) */
    FREE,            /* void f(ptr) */
    FREE_WITH_SIZE,  /* void f(ptr, size) or f(ptr, alignment) */
    FREE_SIZED_ALIGNED,
    QUERY, /* size_t f(ptr) or f(size): no allocation */
} kind;

static const struct {
    const char *name;
    kind kind;
} entry_points[] = {
    {"malloc", ALLOC},
    {"__libc_malloc", ALLOC},
    {"valloc", ALLOC},
    {"__libc_valloc", ALLOC},
    {"_Znwm", ALLOC},
    {"_Znam", ALLOC},
    {"pvalloc", ALLOC_PAGES},
    {"__libc_pvalloc", ALLOC_PAGES},
    {"calloc", ALLOC_ARRAY},
    {"__libc_calloc", ALLOC_ARRAY},
    {"memalign", ALLOC_ALIGNED},
    {"__libc_memalign", ALLOC_ALIGNED},
    {"aligned_alloc", ALLOC_ALIGNED},
    {"_aligned_malloc", ALLOC_SIZE_ALIGNED},
    {"_ZnwmSt11align_val_t", ALLOC_SIZE_ALIGNED},
    {"_ZnamSt11align_val_t", ALLOC_SIZE_ALIGNED},
    {"_ZnwmRKSt9nothrow_t", NEW_NOTHROW},
    {"_ZnamRKSt9nothrow_t", NEW_NOTHROW},
    {"_ZnwmSt11align_val_tRKSt9nothrow_t", NEW_ALIGNED_NOTHROW},
    {"_ZnamSt11align_val_tRKSt9nothrow_t", NEW_ALIGNED_NOTHROW},
    {"posix_memalign", POSIX_MEMALIGN},
    {"__posix_memalign", POSIX_MEMALIGN},
    {"realloc", RESIZE},
    {"__libc_realloc", RESIZE},
    {"reallocf", RESIZE},
    {"reallocarray", RESIZE_ARRAY},
    {"reallocarr", RESIZE_IN_PLACE},
    {"free", FREE},
    {"cfree", FREE},
    {"vfree", FREE},
    {"__libc_free", FREE},
    {"__libc_cfree", FREE},
    {"_ZdlPv", FREE},
    {"_ZdaPv", FREE},
    {"_ZdlPvm", FREE_WITH_SIZE},
    {"_ZdaPvm", FREE_WITH_SIZE},
    {"_ZdlPvSt11align_val_t", FREE_WITH_SIZE},
    {"_ZdaPvSt11align_val_t", FREE_WITH_SIZE},
    {"_ZdlPvmSt11align_val_t", FREE_SIZED_ALIGNED},
    {"_ZdaPvmSt11align_val_t", FREE_SIZED_ALIGNED},
    {"malloc_usable_size", QUERY},
    {"malloc_size", QUERY},
    {"malloc_good_size", QUERY},
};

/* The call under measurement and what it should count. */
static void *function;
static kind call_kind;
static void *block;
static size_t expected_bytes;

static void call_entry_point(void) {
    static const char nothrow_tag = 0;
    void *old;
    switch (call_kind) {
    case ALLOC:
    case ALLOC_PAGES:
        block = ((void *(*)(size_t))function)(SIZE);
        break;
    case ALLOC_ARRAY:
        block = ((void *(*)(size_t, size_t))function)(10, SIZE / 10);
        break;
    case ALLOC_ALIGNED:
        block = ((void *(*)(size_t, size_t))function)(ALIGNMENT, SIZE);
        break;
    case ALLOC_SIZE_ALIGNED:
        block = ((void *(*)(size_t, size_t))function)(SIZE, ALIGNMENT);
        break;
    case NEW_NOTHROW:
        block = ((void *(*)(size_t, const void *))function)(SIZE, &nothrow_tag);
        break;
    case NEW_ALIGNED_NOTHROW:
        block = ((void *(*)(size_t, size_t, const void *))function)(SIZE, ALIGNMENT, &nothrow_tag);
        break;
    case POSIX_MEMALIGN:
        CU_ASSERT_EQUAL(((int (*)(void **, size_t, size_t))function)(&block, ALIGNMENT, SIZE), 0);
        break;
    case RESIZE: /* malloc(1) then grow: 2 allocations, 1 free, 1001 bytes */
        old = malloc(1);
        block = ((void *(*)(void *, size_t))function)(old, SIZE);
        break;
    case RESIZE_ARRAY:
        old = malloc(1);
        block = ((void *(*)(void *, size_t, size_t))function)(old, 10, SIZE / 10);
        break;
    case RESIZE_IN_PLACE:
        block = malloc(1);
        CU_ASSERT_EQUAL(((int (*)(void *, size_t, size_t))function)(&block, 10, SIZE / 10), 0);
        break;
    case FREE: /* malloc then free with the entry point: nothing left */
        ((void (*)(void *))function)(malloc(SIZE));
        break;
    case FREE_WITH_SIZE:
        ((void (*)(void *, size_t))function)(malloc(SIZE), SIZE);
        break;
    case FREE_SIZED_ALIGNED:
        ((void (*)(void *, size_t, size_t))function)(malloc(SIZE), SIZE, 16);
        break;
    case QUERY: /* never measured: see check_entry_point() */
        break;
    }
}

static void check_entry_point(const char *name, kind k) {
    function = dlsym(RTLD_DEFAULT, name);
    call_kind = k;
    block = NULL;
    if (!in_this_program(function)) {
        fprintf(stderr, "\n    %s reaches libmimalloc.so, not the harness\n", name);
        CU_FAIL("an allocation function bypasses the harness (see stderr)");
        return;
    }
    if (k == QUERY) { /* asks about a block; must not allocate */
        block = malloc(SIZE);
        size_t answer = strcmp(name, "malloc_good_size") == 0
                            ? ((size_t(*)(size_t))function)(SIZE)
                            : ((size_t(*)(void *))function)(block);
        CU_ASSERT(answer >= SIZE);
        free(block);
        return;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    expected_bytes = k == ALLOC_PAGES ? (SIZE + page - 1) / page * page : SIZE;
    bool resizes = k == RESIZE || k == RESIZE_ARRAY || k == RESIZE_IN_PLACE;
    bool frees = k == FREE || k == FREE_WITH_SIZE || k == FREE_SIZED_ALIGNED;
    hb_usage usage = measure(call_entry_point);
    if (!frees) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(block);
        touch(block, expected_bytes);
        if (k == ALLOC_ALIGNED || k == ALLOC_SIZE_ALIGNED || k == NEW_ALIGNED_NOTHROW ||
            k == POSIX_MEMALIGN)
            CU_ASSERT_EQUAL((uintptr_t)block % ALIGNMENT, 0);
        free(block);
    }
    bool ok = usage.allocations == (resizes ? 2u : 1u) && usage.frees == (resizes || frees) &&
              usage.total_bytes == expected_bytes + resizes &&
              usage.live_bytes == (frees ? 0 : expected_bytes) &&
              usage.peak_bytes == expected_bytes;
    if (!ok) {
        fprintf(stderr,
                "\n    %s: counted %llu allocations, %llu frees, %zu bytes total, %zu live, "
                "%zu peak\n",
                name, (unsigned long long)usage.allocations, (unsigned long long)usage.frees,
                usage.total_bytes, usage.live_bytes, usage.peak_bytes);
        CU_FAIL("an entry point counted the wrong figures (see stderr)");
    }
}

static bool has_test(const char *name, kind *k) {
    for (size_t i = 0; i < sizeof entry_points / sizeof entry_points[0]; i++)
        if (strcmp(entry_points[i].name, name) == 0) {
            *k = entry_points[i].kind;
            return true;
        }
    return false;
}

HB_TEST(test_every_mimalloc_export_is_the_harness_and_counts_exactly) {
    FILE *list = fopen(HB_MIMALLOC_EXPORTS, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    char name[256];
    int names = 0;
    while (fscanf(list, "%255s", name) == 1) {
        names++;
        kind k;
        if (has_test(name, &k)) {
            check_entry_point(name, k);
        } else {
            fprintf(stderr, "\n    %s: exported by libmimalloc.so but not tested here\n", name);
            CU_FAIL("an allocation function has no test (see stderr)");
        }
    }
    fclose(list);
    /* Debian's libmimalloc.so 2.0 exports 43 such names: far fewer means the
     * list was not read right. */
    CU_ASSERT(names >= 40);
}

HB_TEST(test_every_tested_name_is_checked_even_if_mimalloc_drops_it) {
    for (size_t i = 0; i < sizeof entry_points / sizeof entry_points[0]; i++)
        check_entry_point(entry_points[i].name, entry_points[i].kind);
}
