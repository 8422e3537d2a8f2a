/* Exercise 04, a wrong fix: the array doubles, as in the solution, but
 * realloc()'s result is stored straight over the old pointer. */
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
        list->items = realloc(list->items, capacity * sizeof *list->items);
        if (list->items == NULL)
            return false; /* the mistake: the old array is still allocated, and now lost */
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
