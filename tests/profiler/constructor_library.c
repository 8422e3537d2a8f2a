/* A library whose constructor allocates before the program's main and
 * before heapbook's own constructor may run: its block must be in the
 * capture (tests/profiler/check.sh). */
#include <stdlib.h>

static void *kept;

__attribute__((constructor)) static void allocate_at_load(void) {
    kept = malloc(123456); /* CONSTRUCTOR_ALLOCATES */
}

void *constructor_block(void) { return kept; }
