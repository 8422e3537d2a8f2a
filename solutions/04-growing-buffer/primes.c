/* Exercise 04: Growing a buffer, a solution.
 *
 * The array doubles each time it is full, so appending n primes takes about
 * log2(n / FIRST_CAPACITY) reallocations instead of n / 16, and copies fewer
 * than 2n elements in all instead of about n^2 / 32. */
#include "primes.h"

#include <stdlib.h>

/* The first array's slots; every later array has twice the slots of the one
 * before, so at most half of them are ever unused. */
enum { FIRST_CAPACITY = 16 };

/* The primes found so far: `count` of them, room for `capacity`. */
typedef struct prime_list {
    uint32_t *items;
    size_t count;
    size_t capacity;
} prime_list;

static bool append(prime_list *list, uint32_t prime) {
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? FIRST_CAPACITY : 2 * list->capacity;
        uint32_t *items = realloc(list->items, capacity * sizeof *items);
        if (items == NULL)
            return false; /* list->items is still allocated, and still the caller's */
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = prime;
    return true;
}

/* Trial division by the primes found so far, up to the square root of n:
 * every smaller prime is already in the list. */
static bool is_prime(const prime_list *found, uint32_t n) {
    for (size_t i = 0; i < found->count; i++) {
        uint32_t p = found->items[i];
        if ((uint64_t)p * p > n)
            break;
        if (n % p == 0)
            return false;
    }
    return n >= 2;
}

bool primes_below(uint32_t limit, uint32_t **primes, size_t *count) {
    prime_list found = {0};
    for (uint32_t n = 2; n < limit; n++) {
        if (is_prime(&found, n) && !append(&found, n)) {
            free(found.items);
            return false;
        }
    }
    *primes = found.items;
    *count = found.count;
    return true;
}
