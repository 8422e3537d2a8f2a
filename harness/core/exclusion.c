/* exclusion.c: code whose own allocations are not the measured code's
 * (core.h: Excluded code). */
#include "internal.h"

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

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

bool hb_suppress_function(const char *name) {
    hb_guard_enter(); /* dlsym may allocate its error text */
    void *function = dlsym(RTLD_DEFAULT, name);
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    bool found = function != NULL &&
                 dladdr1(function, &info, (void **)&symbol, RTLD_DL_SYMENT) != 0 &&
                 symbol != NULL && symbol->st_size != 0;
    hb_guard_leave();
    int count = atomic_load(&suppressed.count);
    if (!found || count == MAX_SUPPRESSED)
        return false;
    uintptr_t start = (uintptr_t)function;
    suppressed.ranges[count] = (hb_code_range){start, start + symbol->st_size};
    atomic_store_explicit(&suppressed.count, count + 1, memory_order_release);
    hb_stacks_classify_with(hb_in_suppressed_function);
    return true;
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
