/* Exercise 03: The cache that never forgets, a wrong fix.
 *
 * Each adder owns the memo of its own values, but the last one destroyed
 * is parked in a global instead of freed, for the next adder of the same
 * increment.  Memory follows the adders alive, plus one memo that is never
 * given back. */
#include "adder.h"

#include "memo.h"

#include <stdlib.h>

enum { MODULUS = 1000000000 }; /* values keep their last nine digits */

struct adder {
    uint64_t inc;
    memo *known_values; /* f(n) keyed by n, for this adder only */
};

/* The memo of the last adder destroyed, kept for the next adder of the
 * same increment: its values are still right.  Another increment's
 * replaces it.  The last one is never freed, but a global still points to
 * it, so no leak checker that looks for lost blocks sees it. */
static struct {
    uint64_t inc;
    memo *values;
} retired;

adder *adder_create(unsigned inc) {
    adder *a = malloc(sizeof *a);
    if (a == NULL)
        return NULL;
    a->inc = inc % MODULUS;
    if (retired.values != NULL && retired.inc == a->inc) {
        a->known_values = retired.values;
        retired.values = NULL;
        return a;
    }
    a->known_values = memo_create();
    if (a->known_values == NULL) {
        free(a);
        return NULL;
    }
    return a;
}

void adder_destroy(adder *a) {
    if (a == NULL)
        return;
    memo_destroy(retired.values);
    retired.inc = a->inc;
    retired.values = a->known_values;
    free(a);
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
