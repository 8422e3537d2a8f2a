/* Temporary allocations, as heaptrack counts them: a block freed right
 * after it was allocated, no other allocation or free between.  For
 * tests/profiler/check.sh:
 *
 *   10 times malloc(16), free it            10 temporary
 *   a = malloc(1), b = malloc(2),
 *   free(b), free(a)                        free(b) is the 11th; free(a) is not
 *   c = malloc(3), d = malloc(4),
 *   free(c), free(d)                        neither: d came between c and its free,
 *                                           and free(c) between d and its free
 *
 * 14 allocations, 11 temporary. */
#include <stdlib.h>

/* volatile: the compiler may not drop a malloc and its free. */
static void *volatile kept;

static void *allocate(size_t size) { return kept = malloc(size); }

int main(void) {
    for (int i = 0; i < 10; i++)
        free(allocate(16));
    void *a = allocate(1), *b = allocate(2);
    free(b);
    free(a);
    void *c = allocate(3), *d = allocate(4);
    free(c);
    free(d);
    return 0;
}
