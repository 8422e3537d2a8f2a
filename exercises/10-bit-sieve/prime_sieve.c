/* Exercise 10: Bits, not bytes.
 *
 * The tests in tests/exercises/test_10_bit_sieve.c pass for correctness but
 * test_sieve_memory fails: this sieve needs far more heap than it should.
 * Run `make test EX=10`, read which allocation site the failure blames, and
 * change this file (not the test) until the suite passes.
 * The lesson: docs/10-bit-sieve.md.  */
#include "prime_sieve.h"

#include <stdlib.h>

struct prime_sieve {
    bool *composite; /* composite[n]: n has a factor other than 1 and n */
    size_t count;    /* primes below limit */
};

/* Crosses out every multiple of every prime, starting at its square: the
 * smaller multiples were crossed out already by smaller primes. */
static void cross_out_multiples(bool *composite, size_t limit) {
    for (size_t p = 2; p * p < limit; p++)
        if (!composite[p])
            for (size_t multiple = p * p; multiple < limit; multiple += p)
                composite[multiple] = true;
}

prime_sieve *prime_sieve_new(size_t limit) {
    prime_sieve *sieve = malloc(sizeof *sieve);
    if (sieve == NULL)
        return NULL;
    sieve->composite = calloc(limit, sizeof *sieve->composite);
    if (sieve->composite == NULL && limit > 0) {
        free(sieve);
        return NULL;
    }
    cross_out_multiples(sieve->composite, limit);
    sieve->count = 0;
    for (size_t n = 2; n < limit; n++)
        if (!sieve->composite[n])
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
    return n >= 2 && !sieve->composite[n];
}

size_t prime_sieve_count(const prime_sieve *sieve) { return sieve->count; }
