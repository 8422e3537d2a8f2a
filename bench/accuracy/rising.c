/* exact peak: 1000000 bytes
 *
 * The heap rises by 0.1% at a time, 1000 blocks of 1000 bytes, then falls:
 * the peak, 1000 * 1000 bytes, is reached by the last allocation only.
 * valgrind's massif snapshots a new peak only when it is 1% above the last
 * one it kept (--peak-inaccuracy) but takes one more at the first free
 * after a peak, which is how it catches this one: a tool that sampled the
 * heap every so often would report less. */
#include <stdlib.h>
#include <string.h>

enum { BLOCKS = 1000, SIZE = 1000 };
static char *blocks[BLOCKS];

int main(void) {
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = malloc(SIZE);
        if (blocks[i] == NULL)
            return 1;
        memset(blocks[i], i, SIZE);
    }
    for (int i = 0; i < BLOCKS; i++)
        free(blocks[i]);
    return 0;
}
