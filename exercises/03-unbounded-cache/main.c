/* Exercise 03 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/03-unbounded-cache/program [SIZE...]
 *
 * For each SIZE, counts the last digits of f(0) ... f(SIZE - 1) for SIZE
 * adders, inc 0 ... SIZE - 1 (default: 500 1000, the sizes of the memory
 * test, as in Memray's tutorial).
 */
#include "adder.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static bool parse_size(const char *text, unsigned *size) {
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value > UINT_MAX) {
        fprintf(stderr, "adder: \"%s\" is not a size (a whole number from 0 to %u)\n", text,
                UINT_MAX);
        return false;
    }
    *size = (unsigned)value;
    return true;
}

static bool print_counts(unsigned size) {
    unsigned long counts[10];
    if (!count_last_digits(size, size, counts)) {
        fprintf(stderr, "adder: out of memory counting %u adders' digits\n", size);
        return false;
    }
    printf("%u adders, %u values each; last digits 0 to 9:", size, size);
    for (unsigned d = 0; d < 10; d++)
        printf(" %lu", counts[d]);
    printf("\n");
    return true;
}

int main(int argc, char **argv) {
    static char *default_sizes[] = {"500", "1000"};
    char **sizes = argc > 1 ? argv + 1 : default_sizes;
    int count = argc > 1 ? argc - 1 : 2;
    for (int i = 0; i < count; i++) {
        unsigned size;
        if (!parse_size(sizes[i], &size))
            return 2;
        if (!print_counts(size))
            return 1;
    }
    return 0;
}
