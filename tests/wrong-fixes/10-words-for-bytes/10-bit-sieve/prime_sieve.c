/* Exercise 10, a wrong fix: a bit per number in 64-bit words, as in the
 * solution, but the count of words is worked out in bytes: eight times
 * too many words, a byte a number again. */
#include "prime_sieve.h"

#include <stdint.h>
#include <stdlib.h>

enum { BITS_PER_WORD = 64 };

struct prime_sieve {
    uint64_t *composite; /* bit n % 64 of word n / 64: n is composite */
    size_t count;        /* primes below limit */
};

static bool is_marked(const uint64_t *bits, size_t n) {
    return (bits[n / BITS_PER_WORD] >> (n % BITS_PER_WORD)) & 1;
}

static void mark(uint64_t *bits, size_t n) {
    bits[n / BITS_PER_WORD] |= (uint64_t)1 << (n % BITS_PER_WORD);
}

/* Crosses out every multiple of every prime, starting at its square: the
 * smaller multiples were crossed out already by smaller primes. */
static void cross_out_multiples(uint64_t *composite, size_t limit) {
    for (size_t p = 2; p * p < limit; p++)
        if (!is_marked(composite, p))
            for (size_t multiple = p * p; multiple < limit; multiple += p)
                mark(composite, multiple);
}

prime_sieve *prime_sieve_new(size_t limit) {
    prime_sieve *sieve = malloc(sizeof *sieve);
    if (sieve == NULL)
        return NULL;
    size_t words = (limit + 7) / 8; /* the mistake: the bytes of the bits, not the words */
    sieve->composite = calloc(words, sizeof *sieve->composite);
    if (sieve->composite == NULL && words > 0) {
        free(sieve);
        return NULL;
    }
    cross_out_multiples(sieve->composite, limit);
    sieve->count = 0;
    for (size_t n = 2; n < limit; n++)
        if (!is_marked(sieve->composite, n))
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
    return n >= 2 && !is_marked(sieve->composite, n);
}

size_t prime_sieve_count(const prime_sieve *sieve) { return sieve->count; }
