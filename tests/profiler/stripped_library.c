/* A library stripped of every symbol but its exported ones: frames show as
 * "stripped_allocates+0x.. in libstripped.so", and the static function's
 * as "0x.. in libstripped.so" (tests/profiler/check.sh). */
#include <stdlib.h>

__attribute__((noinline)) static void *hidden_allocation(size_t size) {
    void *block = malloc(size);
    __asm__ __volatile__("" ::: "memory"); /* not a tail call: keep the frame */
    return block;
}

void *stripped_allocates(size_t size) {
    void *block = hidden_allocation(size);
    __asm__ __volatile__("" ::: "memory");
    return block;
}
