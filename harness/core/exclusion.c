/* exclusion.c: code whose own allocations are not the measured code's
 * (core.h: Excluded code). */
#include "core.h"

#include <link.h>
#include <string.h>

/* The module's state: address ranges of the executable code of excluded
 * libraries.  Appended to, never shrunk; readers take no lock. */
static struct {
    hb_code_range ranges[HB_MAX_EXCLUDED];
    _Atomic int count;
} excluded;

bool hb_in_excluded_library(uintptr_t caller) {
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
