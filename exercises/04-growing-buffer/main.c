/* Exercise 04 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/04-growing-buffer/program [LIMIT]
 *
 * (default: 200000, the limit of the memory test)
 */
#include "primes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static bool parse_limit(const char *text, uint32_t *limit) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value > UINT32_MAX) {
        fprintf(stderr, "primes: \"%s\" is not a limit (a whole number from 0 to %lu)\n", text,
                (unsigned long)UINT32_MAX);
        return false;
    }
    *limit = (uint32_t)value;
    return true;
}

int main(int argc, char **argv) {
    uint32_t limit = 200000;
    if (argc > 2) {
        fprintf(stderr, "usage: %s [LIMIT]\n", argv[0]);
        return 2;
    }
    if (argc == 2 && !parse_limit(argv[1], &limit))
        return 2;
    uint32_t *primes;
    size_t count;
    if (!primes_below(limit, &primes, &count)) {
        fprintf(stderr, "primes: out of memory finding the primes below %lu\n",
                (unsigned long)limit);
        return 1;
    }
    printf("primes below %lu: %zu", (unsigned long)limit, count);
    if (count > 0)
        printf(", the largest %lu", (unsigned long)primes[count - 1]);
    printf("\n");
    free(primes);
    return 0;
}
