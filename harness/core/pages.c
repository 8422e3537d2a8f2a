/* pages.c: memory straight from the kernel, by the system calls themselves
 * (core.h: Pages): for the harness's own tables, and for the interposed
 * mmap() and munmap() (mappings.c) to do their real work.  Its own file,
 * free of the interposers, so that the profiler's preload, which measures
 * any program and interposes nothing of the core's, can link the stack
 * table that uses it. */
#include "core.h"

#include <sys/syscall.h>
#include <unistd.h>

void *hb_sys_mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    return (void *)syscall(SYS_mmap, address, length, protection, flags, fd, offset);
}

int hb_sys_munmap(void *address, size_t length) {
    return (int)syscall(SYS_munmap, address, length);
}

void *hb_pages_alloc(size_t bytes) {
    void *pages =
        hb_sys_mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return pages == MAP_FAILED ? NULL : pages;
}

void hb_pages_free(void *pages, size_t bytes) {
    if (pages != NULL)
        hb_sys_munmap(pages, bytes);
}
