/* Exercise 04, a wrong fix: there cannot be more primes below the limit
 * than numbers, so the array is made with a slot for every number at once
 * and never grows: one allocation, and 4 bytes for every number. */
#include "primes.h"

#include <stdlib.h>

/* Slots added each time the array is full.  Growing a little at a time
 * means at most GROWTH - 1 slots are ever unused. */
enum { GROWTH = 16 };

/* The primes found so far: `count` of them, room for `capacity`. */
typedef struct prime_list {
    uint32_t *items;
    size_t count;
    size_t capacity;
} prime_list;

static bool append(prime_list *list, uint32_t prime) {
    if (list->count == list->capacity) {
        size_t capacity = list->capacity + GROWTH;
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
    /* the mistake: room for `limit` primes, where about limit / ln(limit) are found */
    prime_list found = {.items = malloc(limit * sizeof(uint32_t)), .capacity = limit};
    if (found.items == NULL)
        return false;
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
