/* Calls into stripped_library.c, and frees nothing: 3000 B leaked. */
#include <stdlib.h>

void *stripped_allocates(size_t size);

void *kept;

int main(void) {
    kept = stripped_allocates(3000);
    return 0;
}
