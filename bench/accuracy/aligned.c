/* exact peak: 17392 bytes
 *
 * Every kind of allocation, all live at once, then freed:
 *   posix_memalign(64, 100)          100
 *   aligned_alloc(4096, 8192)       8192
 *   memalign(256, 1000)             1000
 *   calloc(100, 30)                 3000
 *   malloc(10), realloc to 5000     5000  (the 10 are freed by the realloc)
 *   valloc(100)                      100
 *                                  -----
 *                                  17392 bytes requested
 * Alignment makes the allocator set aside more than was asked. */
#include <malloc.h>
#include <stdlib.h>

int main(void) {
    void *a = NULL;
    if (posix_memalign(&a, 64, 100) != 0)
        return 1;
    void *b = aligned_alloc(4096, 8192);
    void *c = memalign(256, 1000);
    void *d = calloc(100, 30);
    char *e = malloc(10);
    if (b == NULL || c == NULL || d == NULL || e == NULL)
        return 1;
    char *grown = realloc(e, 5000);
    if (grown == NULL)
        return 1;
    void *f = valloc(100);
    if (f == NULL)
        return 1;
    free(a);
    free(b);
    free(c);
    free(d);
    free(grown);
    free(f);
    return 0;
}
