/* Exercise 10: Bits, not bytes.  The contract the tests check; do not change
 * it. */
#ifndef PRIME_SIEVE_H
#define PRIME_SIEVE_H

#include <stdbool.h>
#include <stddef.h>

/* Which numbers below a limit are prime, found once by the sieve of
 * Eratosthenes and then looked up.  Opaque: only these functions touch it. */
typedef struct prime_sieve prime_sieve;

/* Sieves the numbers 0, 1, ..., limit - 1.  Returns NULL if memory runs out.
 * Free the result with prime_sieve_free(). */
prime_sieve *prime_sieve_new(size_t limit);

/* Frees the sieve.  NULL is allowed. */
void prime_sieve_free(prime_sieve *sieve);

/* Whether `n` is prime; `n` must be below the limit. */
bool prime_sieve_is_prime(const prime_sieve *sieve, size_t n);

/* How many primes there are below the limit. */
size_t prime_sieve_count(const prime_sieve *sieve);

#endif
