/* A shared library that allocates, for the symbolization test
 * (uses_library.c, built as a PIE and as a non-PIE program). */
#include <stdlib.h>

void *make_in_library(size_t size) {
    void *block = malloc(size); /* LIBRARY_ALLOCATES */
    return block;
}
