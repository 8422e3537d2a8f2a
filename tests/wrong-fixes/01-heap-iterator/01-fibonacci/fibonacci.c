/* Exercise 01, a wrong fix: an iterator, as in the solution, but made on
 * the heap, as an object would be in Python, and never freed. */
#include "fibonacci.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

enum { MODULUS = 10000 };

typedef struct fibonacci_iterator {
    unsigned previous, current;
    size_t remaining;
} fibonacci_iterator;

static fibonacci_iterator *fibonacci(size_t length) {
    fibonacci_iterator *it = malloc(sizeof *it);
    if (it != NULL)
        *it = (fibonacci_iterator){.previous = 1, .current = 0, .remaining = length};
    return it;
}

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
    fibonacci_iterator *it = fibonacci(length);
    if (it == NULL) {
        perror("fibonacci");
        exit(EXIT_FAILURE);
    }
    unsigned sum = 0, number;
    while (fibonacci_next(it, &number))
        sum = (sum + number) % MODULUS;
    return sum; /* the mistake: `it` is never freed */
}

unsigned fibonacci_hash(size_t len1, size_t len2, size_t len3) {
    unsigned sum = sum_of_fibonacci(len1) + sum_of_fibonacci(len2) + sum_of_fibonacci(len3);
    return sum % MODULUS;
}
