/* tenmillion [COUNT]: exactly COUNT allocations (10,000,000 unless said),
 * for timing what heapbook's reports take on a big capture, and their
 * memory on a bigger one (bench/capture.sh).
 *
 * A pool of POOL live blocks, each step replacing a random one, through
 * eight call paths of different depths, so that the capture has a call tree
 * worth drawing and the replay a live set worth tracking. */
#include <stdint.h>
#include <stdlib.h>

enum { ALLOCATIONS = 10000000, POOL = 65536, PATHS = 8 };

static void *pool[POOL];
static uint64_t state = 0x68656170626f6f6b;

static uint64_t next_random(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * UINT64_C(0x2545F4914F6CDD1D);
}

/* Allocates through `depth` more frames, so each path has its own stack. */
static __attribute__((noinline)) void *through(int depth, size_t size) {
    if (depth == 0)
        return malloc(size);
    void *block = through(depth - 1, size);
    __asm__ __volatile__("" ::: "memory"); /* not a tail call: keep the frame */
    return block;
}

int main(int argc, char **argv) {
    long allocations = argc > 1 ? atol(argv[1]) : ALLOCATIONS;
    for (long i = 0; i < allocations; i++) {
        uint64_t r = next_random();
        size_t slot = r % POOL;
        free(pool[slot]);
        pool[slot] = through((int)((r >> 20) % PATHS), 16 + (r >> 32) % 1024);
        if (pool[slot] == NULL)
            return 1;
    }
    for (int i = 0; i < POOL; i++)
        free(pool[i]);
    return 0;
}
