/* Links constructor_library.c: its constructor's 123456 bytes are live
 * when main allocates 5000 more, so the peak is 128456 B; both are freed:
 * nothing left. */
#include <stdlib.h>

void *constructor_block(void);

int main(void) {
    void *more = malloc(5000);
    free(more);
    free(constructor_block());
    return 0;
}
