/* bench/fault.sh: hb_fail_each_allocation on code that holds every block
 * until its end (each failure point's error path frees all the blocks
 * before it), against code that frees each block as it makes it (the
 * baseline: an error path of no work), at 1,000, 10,000 and 100,000
 * allocations.
 * Each test prints how many failure points were forked; --record-times
 * gives each test's processor time, its parts' included. */
#define HB_SUITE_NAME "bench: fault injection"
#include "heapbook.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

enum { MOST = 100000 };
static void *held[MOST];
static size_t allocations;
static _Atomic unsigned *parts; /* shared with every part: each counts itself */

static void hold_every_block(void) {
    size_t count = 0;
    for (; count < allocations; count++) {
        held[count] = malloc(16);
        if (held[count] == NULL) {
            (*parts)++;
            break;
        }
    }
    while (count > 0)
        free(held[--count]);
}

static void free_each_block(void) {
    for (size_t count = 0; count < allocations; count++) {
        void *block = malloc(16);
        if (block == NULL) {
            (*parts)++;
            break;
        }
        free(block);
    }
}

static void measure(const char *name, void (*code)(void), size_t n) {
    parts = mmap(NULL, sizeof *parts, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_FATAL(parts != MAP_FAILED);
    *parts = 0;
    allocations = n;
    hb_fail_each_allocation(code);
    printf("[points %s %zu %u] ", name, n, (unsigned)*parts);
    munmap((void *)parts, sizeof *parts);
}

HB_TEST(held_1000) { measure("held", hold_every_block, 1000); }
HB_TEST(held_10000) { measure("held", hold_every_block, 10000); }
HB_TEST(held_100000) { measure("held", hold_every_block, 100000); }
HB_TEST(freed_1000) { measure("freed", free_each_block, 1000); }
HB_TEST(freed_10000) { measure("freed", free_each_block, 10000); }
HB_TEST(freed_100000) { measure("freed", free_each_block, 100000); }
