/* Exercise 04, a wrong fix: the capacity doubles, but from 0, so it stays
 * 0: realloc() is asked for 0 bytes and the primes are written past the
 * end of that block.  The counting harness cannot see it; the sanitizers
 * can. */
#include "primes.h"

#include <stdlib.h>

/* The primes found so far: `count` of them, room for `capacity`. */
typedef struct prime_list {
    uint32_t *items;
    size_t count;
    size_t capacity;
} prime_list;

static bool append(prime_list *list, uint32_t prime) {
    if (list->count == list->capacity) {
        size_t capacity = list->capacity * 2; /* the mistake: 0 * 2 is 0 */
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
