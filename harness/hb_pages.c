#include "hb_pages.h"

#include <sys/mman.h>

void *hb_pages_alloc(size_t bytes) {
    void *pages = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return pages == MAP_FAILED ? NULL : pages;
}

void hb_pages_free(void *pages, size_t bytes) {
    if (pages != NULL)
        munmap(pages, bytes);
}
