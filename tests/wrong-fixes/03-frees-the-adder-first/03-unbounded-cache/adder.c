/* Exercise 03, a wrong fix: each adder owns its memo, as in the solution,
 * but adder_destroy() frees the adder before reading its memo pointer. */
#include "adder.h"

#include "memo.h"

#include <stdlib.h>

enum { MODULUS = 1000000000 }; /* values keep their last nine digits */

struct adder {
    uint64_t inc;
    memo *known_values; /* f(n) keyed by n, for this adder only */
};

adder *adder_create(unsigned inc) {
    adder *a = malloc(sizeof *a);
    if (a == NULL)
        return NULL;
    a->known_values = memo_create();
    if (a->known_values == NULL) {
        free(a);
        return NULL;
    }
    a->inc = inc % MODULUS;
    return a;
}

void adder_destroy(adder *a) {
    if (a == NULL)
        return;
    free(a);
    memo_destroy(a->known_values); /* the mistake: `a` is already freed */
}

uint64_t factorial_plus(adder *a, unsigned n) {
    uint64_t value;
    if (memo_get(a->known_values, n, &value))
        return value;
    if (n <= 1)
        value = (1 + a->inc) % MODULUS;
    else
        value = (n * factorial_plus(a, n - 1) + a->inc) % MODULUS;
    /* If there is no memory to remember it, it is worked out again next time. */
    memo_put(a->known_values, n, value);
    return value;
}
