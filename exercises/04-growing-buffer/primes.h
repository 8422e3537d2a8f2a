/* Exercise 04: Growing a buffer.  The contract the tests check; do not
 * change it. */
#ifndef PRIMES_H
#define PRIMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Finds the primes below `limit`, in increasing order.  On success, returns
 * true with *primes pointing to a new array holding the *count primes, which
 * the caller frees (it may be NULL when there are none).  If memory runs out,
 * returns false with nothing left allocated, and *primes and *count
 * unchanged. */
bool primes_below(uint32_t limit, uint32_t **primes, size_t *count);

#endif
