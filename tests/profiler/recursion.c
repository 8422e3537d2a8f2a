/* A function that allocates 100 B and calls itself, 5 levels deep, from
 * one line: the stacks of levels 1 to 4 hold that line 1 to 4 times.  The
 * summary must count each stack once per site: the recursive call holds
 * 400 B (levels 1 to 4), not 100 + 200 + 300 + 400, and no share is above
 * 100 %. */
#include <stdlib.h>

void *kept[5];

__attribute__((noinline)) static void nest(int depth) {
    kept[depth] = malloc(100); /* ALLOCATES */
    if (depth + 1 < 5)
        nest(depth + 1);                   /* RECURSES */
    __asm__ __volatile__("" ::: "memory"); /* not a tail call: keep the frame */
}

int main(void) {
    nest(0);
    for (int i = 0; i < 5; i++)
        free(kept[i]);
    return 0;
}
