/* A program whose heap is worked out by hand, for tests/profiler/check.sh:
 *
 *   malloc(1000)              1000 live
 *   calloc(10, 200)           3000
 *   free(the 1000)            2000
 *   malloc(500)               2500
 *   realloc(the 2000, 4000)   2500 - 2000 + 4000 = 4500   <- the peak
 *   free(the 500)             4000, never freed
 *
 * 4 allocations, 3 frees (the realloc frees its old block), peak 4500 B,
 * 4000 B in 1 block never freed. */
#include <stdlib.h>

void *kept; /* global: the last block must outlive main */

int main(void) {
    char *a = malloc(1000);
    char *b = calloc(10, 200);
    free(a);
    char *c = malloc(500);
    b = realloc(b, 4000);
    free(c);
    kept = b;
    return 0;
}
