/* Exercise 08 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/08-many-small-allocations/program [COUNT]
 *
 * (default: 300000, the size of the memory test)
 *
 * It pushes COUNT values, reports the heap blocks the full stack owns, then
 * pops every value back.  For each block it adds up two sizes: what the
 * stack asked for, and what malloc_usable_size() says the allocator really
 * set aside for it.  This program is not linked with the harness, so those
 * are the figures of the C library's malloc (glibc's, on Debian), or of
 * whichever allocator LD_PRELOAD puts in front of it. */
#include "int_stack.h"

#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct heap_total {
    size_t blocks, requested, usable;
} heap_total;

static void add_block(const void *block, size_t requested, void *context) {
    heap_total *total = context;
    total->blocks++;
    total->requested += requested;
    total->usable += malloc_usable_size((void *)block);
}

static bool parse_count(const char *text, int *count) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0 || value > 100000000) {
        fprintf(stderr, "int_stack: \"%s\" is not a count (a whole number from 0 to 100000000)\n",
                text);
        return false;
    }
    *count = (int)value;
    return true;
}

int main(int argc, char **argv) {
    int count = 300000;
    if (argc > 2) {
        fprintf(stderr, "usage: %s [COUNT]\n", argv[0]);
        return 2;
    }
    if (argc == 2 && !parse_count(argv[1], &count))
        return 2;

    int_stack *stack = int_stack_new();
    if (stack == NULL) {
        perror("int_stack_new");
        return 1;
    }
    for (int i = 0; i < count; i++)
        if (!int_stack_push(stack, i)) {
            perror("int_stack_push");
            int_stack_free(stack);
            return 1;
        }

    heap_total total = {0};
    int_stack_visit_blocks(stack, add_block, &total);
    printf("pushed %d values: the stack owns %zu heap block%s\n", count, total.blocks,
           total.blocks == 1 ? "" : "s");
    printf("  requested:                     %zu bytes\n", total.requested);
    printf("  usable (malloc_usable_size):   %zu bytes\n", total.usable);

    long long sum = 0;
    int value;
    while (int_stack_pop(stack, &value))
        sum += value;
    printf("popped them all: their sum is %lld\n", sum);
    int_stack_free(stack);
    return 0;
}
