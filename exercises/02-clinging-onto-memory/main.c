/* Exercise 02 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/02-clinging-onto-memory/program [COUNT]
 *
 * (default: 2097152 samples, 16 MiB of doubles, the size of the memory test)
 */
#include "pipeline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool parse_count(const char *text, size_t *count) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
        fprintf(stderr, "pipeline: \"%s\" is not a count (a whole number >= 0)\n", text);
        return false;
    }
    *count = (size_t)value;
    return true;
}

int main(int argc, char **argv) {
    size_t count = 2097152;
    if (argc > 2) {
        fprintf(stderr, "usage: %s [COUNT]\n", argv[0]);
        return 2;
    }
    if (argc == 2 && !parse_count(argv[1], &count))
        return 2;
    double *result = process_data(count);
    if (result == NULL) {
        fprintf(stderr, "pipeline: out of memory processing %zu samples\n", count);
        return 1;
    }
    /* Every element is a whole number below 2^15, so the sum is exact. */
    double sum = 0;
    for (size_t i = 0; i < count; i++)
        sum += result[i];
    free(result);
    printf("process_data(%zu): the elements add up to %.0f\n", count, sum);
    return 0;
}
