/* Calls into library.c; built as a PIE and as a non-PIE program. */
#include <stdlib.h>

void *make_in_library(size_t size);

void *kept;

int main(void) {
    kept = make_in_library(4096); /* PROGRAM_CALLS_LIBRARY */
    return 0;
}
