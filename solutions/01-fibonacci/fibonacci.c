/* Exercise 01: Fibonacci, a solution.
 *
 * An iterator holds only what it needs to make the next number: the last
 * two.  The sequence is never stored, so the heap is not used at all. */
#include "fibonacci.h"

#include <stdbool.h>

enum { MODULUS = 10000 };

typedef struct fibonacci_iterator {
    unsigned previous, current; /* the last two numbers handed out */
    size_t remaining;
} fibonacci_iterator;

static fibonacci_iterator fibonacci(size_t length) {
    /* Start one step before the sequence, at (1, 0): 1 + 0 gives its first 1. */
    return (fibonacci_iterator){.previous = 1, .current = 0, .remaining = length};
}

/* Stores the next number in *number; false once the sequence is over. */
static bool fibonacci_next(fibonacci_iterator *it, unsigned *number) {
    if (it->remaining == 0)
        return false;
    it->remaining--;
    unsigned next = (it->previous + it->current) % MODULUS;
    it->previous = it->current;
    it->current = next;
    *number = next;
    return true;
}

static unsigned sum_of_fibonacci(size_t length) {
    fibonacci_iterator it = fibonacci(length);
    unsigned sum = 0, number;
    while (fibonacci_next(&it, &number))
        sum = (sum + number) % MODULUS;
    return sum;
}

unsigned fibonacci_hash(size_t len1, size_t len2, size_t len3) {
    unsigned sum = sum_of_fibonacci(len1) + sum_of_fibonacci(len2) + sum_of_fibonacci(len3);
    return sum % MODULUS;
}
