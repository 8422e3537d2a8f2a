/* Exercise 01 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/01-fibonacci/program [LEN1 LEN2 LEN3]
 *
 * (default: 33333 30000 34567, the lengths of the memory test)
 */
#include "fibonacci.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool parse_length(const char *text, size_t *length) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
        fprintf(stderr, "fibonacci: \"%s\" is not a length (a whole number >= 0)\n", text);
        return false;
    }
    *length = (size_t)value;
    return true;
}

int main(int argc, char **argv) {
    size_t lengths[3] = {33333, 30000, 34567};
    if (argc != 1 && argc != 4) {
        fprintf(stderr, "usage: %s [LEN1 LEN2 LEN3]\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (!parse_length(argv[i], &lengths[i - 1]))
            return 2;
    printf("fibonacci_hash(%zu, %zu, %zu) = %u\n", lengths[0], lengths[1], lengths[2],
           fibonacci_hash(lengths[0], lengths[1], lengths[2]));
    return 0;
}
