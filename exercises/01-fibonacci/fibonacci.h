/* Exercise 01: Fibonacci.  The contract the tests check; do not change it. */
#ifndef FIBONACCI_H
#define FIBONACCI_H

#include <stddef.h>

/* Sums the first len1 Fibonacci numbers (1, 1, 2, 3, 5, ...), the first len2
 * and the first len3, and returns the total modulo 10000.  Every number is
 * kept modulo 10000 too, so nothing overflows however long the sequence. */
unsigned fibonacci_hash(size_t len1, size_t len2, size_t len3);

#endif
