/* Exercise 10, a wrong fix: 2 is the only even prime, so only the odd
 * numbers get a bool: half the bytes, but still a byte a number. */
#include "prime_sieve.h"

#include <stdlib.h>

struct prime_sieve {
    bool *composite; /* composite[n / 2], for odd n: n has a factor other than 1 and n */
    size_t count;    /* primes below limit */
};

/* Crosses out every multiple of every prime, starting at its square: the
 * smaller multiples were crossed out already by smaller primes. */
static void cross_out_multiples(bool *composite, size_t limit) {
    for (size_t p = 3; p * p < limit; p += 2)
        if (!composite[p / 2])
            for (size_t multiple = p * p; multiple < limit; multiple += 2 * p)
                composite[multiple / 2] = true;
}

prime_sieve *prime_sieve_new(size_t limit) {
    prime_sieve *sieve = malloc(sizeof *sieve);
    if (sieve == NULL)
        return NULL;
    size_t odd_numbers = (limit + 1) / 2; /* the mistake: still a byte for each */
    sieve->composite = calloc(odd_numbers, sizeof *sieve->composite);
    if (sieve->composite == NULL && odd_numbers > 0) {
        free(sieve);
        return NULL;
    }
    cross_out_multiples(sieve->composite, limit);
    sieve->count = 0;
    for (size_t n = 2; n < limit; n++)
        if (prime_sieve_is_prime(sieve, n))
            sieve->count++;
    return sieve;
}

void prime_sieve_free(prime_sieve *sieve) {
    if (sieve == NULL)
        return;
    free(sieve->composite);
    free(sieve);
}

bool prime_sieve_is_prime(const prime_sieve *sieve, size_t n) {
    return n == 2 || (n > 2 && n % 2 == 1 && !sieve->composite[n / 2]);
}

size_t prime_sieve_count(const prime_sieve *sieve) { return sieve->count; }
