/* exact peak: 26000 bytes
 *
 * 1000 blocks of 1 byte and 1000 of 25 bytes, all live at once, then freed:
 * 1000 * 1 + 1000 * 25 = 26000 bytes requested.  glibc gives each at least
 * 24 usable bytes, and 40 to a 25-byte request: a tool that counts what
 * the allocator set aside sees far more. */
#include <stdlib.h>

enum { BLOCKS = 1000 };
static char *tiny[BLOCKS], *small[BLOCKS];

int main(void) {
    for (int i = 0; i < BLOCKS; i++) {
        tiny[i] = malloc(1);
        small[i] = malloc(25);
        if (tiny[i] == NULL || small[i] == NULL)
            return 1;
        tiny[i][0] = small[i][24] = (char)i;
    }
    for (int i = 0; i < BLOCKS; i++) {
        free(tiny[i]);
        free(small[i]);
    }
    return 0;
}
