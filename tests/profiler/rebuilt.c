/* Built twice, the second time with -DREBUILT (other code, so another
 * build-id), and copied in turn to one path: a capture of each build names
 * its own lines (tests/profiler/check.sh). */
#include <stdlib.h>

void *kept;

int main(void) {
#ifdef REBUILT
    kept = calloc(3, 1000); /* SECOND_BUILD_ALLOCATES */
#else
    kept = malloc(2000); /* FIRST_BUILD_ALLOCATES */
#endif
    return 0;
}
