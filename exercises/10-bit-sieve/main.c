/* Exercise 10 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/10-bit-sieve/program [LIMIT]
 *
 * (default: 10000000, the limit of the memory test)
 *
 * It sieves the numbers below LIMIT and prints how many primes there are
 * and the largest of them.
 */
#include "prime_sieve.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool parse_limit(const char *text, size_t *limit) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value > 1ull << 40) {
        fprintf(stderr, "prime_sieve: \"%s\" is not a limit (a whole number up to 2^40)\n", text);
        return false;
    }
    *limit = (size_t)value;
    return true;
}

int main(int argc, char **argv) {
    size_t limit = 10000000;
    if (argc > 2) {
        fprintf(stderr, "usage: %s [LIMIT]\n", argv[0]);
        return 2;
    }
    if (argc == 2 && !parse_limit(argv[1], &limit))
        return 2;
    prime_sieve *sieve = prime_sieve_new(limit);
    if (sieve == NULL) {
        perror("prime_sieve_new");
        return 1;
    }
    size_t count = prime_sieve_count(sieve);
    printf("%zu prime%s below %zu", count, count == 1 ? "" : "s", limit);
    for (size_t n = limit; n-- > 2;)
        if (prime_sieve_is_prime(sieve, n)) {
            printf("; the largest is %zu", n);
            break;
        }
    printf("\n");
    prime_sieve_free(sieve);
    return 0;
}
