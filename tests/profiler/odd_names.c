/* A function whose symbol looks like C++ (make<int>), for the test that
 * names are escaped in the flame graph page; the test also passes
 * "</script>" as an argument, which the page shows as the command. */
#include <stdlib.h>

void *make_int(size_t size) __asm__("\"make<int>\"");
void *make_int(size_t size) { return malloc(size); }

void *kept;

int main(void) {
    kept = make_int(64);
    return 0;
}
