/* A program that allocates from .preinit_array, before the C library has
 * set `environ` and before any constructor, for tests/profiler/check.sh:
 *
 *   malloc(4321) in allocate_early (.preinit_array)   4321 live <- the peak
 *   free it in main, malloc(100), free it             0
 *
 * 2 allocations, 2 frees, peak 4321 B. */
#include <stdlib.h>

static void *early;

static void allocate_early(int argc, char **argv, char **envp) {
    (void)argc, (void)argv, (void)envp;
    early = malloc(4321); /* PREINIT_ALLOCATES */
}

/* Only a program's own .preinit_array runs, first of all its code. */
__attribute__((section(".preinit_array"),
               used)) static void (*const preinit)(int, char **, char **) = allocate_early;

int main(void) {
    free(early);
    void *later = malloc(100);
    free(later);
    return 0;
}
