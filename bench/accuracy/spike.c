/* exact peak: 1150976 bytes
 *
 * 100 blocks of 1 KiB stay live while one 1 MiB block is allocated and
 * freed at once: 100 * 1024 + 1048576 = 1150976 bytes, held for a moment
 * only.  Then 100,000 short-lived blocks of 100 bytes, which never come near
 * it: a tool that samples the heap now and then misses the spike. */
#include <stdlib.h>
#include <string.h>

enum { KEPT = 100, CHURN = 100000 };
static char *kept[KEPT];

int main(void) {
    for (int i = 0; i < KEPT; i++)
        if ((kept[i] = malloc(1024)) == NULL)
            return 1;
    char *spike = malloc(1 << 20);
    if (spike == NULL)
        return 1;
    memset(spike, 1, 1 << 20);
    free(spike);
    for (int i = 0; i < CHURN; i++) {
        char *p = malloc(100);
        if (p == NULL)
            return 1;
        p[99] = (char)i;
        free(p);
    }
    for (int i = 0; i < KEPT; i++)
        free(kept[i]);
    return 0;
}
