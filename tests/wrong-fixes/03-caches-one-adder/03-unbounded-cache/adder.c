/* Exercise 03, a wrong fix: the one shared memo keeps the values of one
 * adder only, and is emptied whenever another adder asks.  Its memory no
 * longer grows with the adders, but nothing ever frees the last memo. */
#include "adder.h"

#include "memo.h"

#include <stdlib.h>

enum { MODULUS = 1000000000 }; /* values keep their last nine digits */

struct adder {
    uint64_t id; /* tells this adder's values apart from the others' */
    uint64_t inc;
};

/* The values of one adder, the last to ask, keyed by n; made when first
 * needed. */
static memo *known_values;
static uint64_t known_values_owner; /* its id */
static uint64_t next_id;

adder *adder_create(unsigned inc) {
    adder *a = malloc(sizeof *a);
    if (a == NULL)
        return NULL;
    a->id = next_id++;
    a->inc = inc % MODULUS;
    return a;
}

void adder_destroy(adder *a) { free(a); }

uint64_t factorial_plus(adder *a, unsigned n) {
    if (known_values == NULL || known_values_owner != a->id) {
        memo_destroy(known_values); /* the mistake: nothing frees the last one */
        known_values = memo_create();
        known_values_owner = a->id;
    }
    uint64_t value;
    if (known_values != NULL && memo_get(known_values, n, &value))
        return value;
    if (n <= 1)
        value = (1 + a->inc) % MODULUS;
    else
        value = (n * factorial_plus(a, n - 1) + a->inc) % MODULUS;
    /* If there is no memory to remember it, it is worked out again next time. */
    if (known_values != NULL)
        memo_put(known_values, n, value);
    return value;
}
