/* Exercise 03: The cache that never forgets.
 *
 * The tests in tests/exercises/test_03_unbounded_cache.c pass for correctness
 * but test_cache_memory fails: memory keeps growing while adders come and go,
 * and some is still held when the last adder is gone.  Run `make test EX=03`,
 * read which allocation sites the failure blames, and change this file (not
 * the test) until the suite passes.  The lesson: docs/03-unbounded-cache.md. */
#include "adder.h"

#include "memo.h"

#include <stdlib.h>

enum { MODULUS = 1000000000 }; /* values keep their last nine digits */

struct adder {
    uint64_t id; /* tells this adder's values apart from the others' */
    uint64_t inc;
};

/* Every value any adder has worked out, keyed by (adder id, n); made when
 * first needed.  The key uses an id rather than the adder's address because a
 * new adder may be given the address of one destroyed before it. */
static memo *known_values;
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

static uint64_t key_of(const adder *a, unsigned n) { return a->id << 32 | n; }

uint64_t factorial_plus(adder *a, unsigned n) {
    if (known_values == NULL)
        known_values = memo_create();
    uint64_t value;
    if (known_values != NULL && memo_get(known_values, key_of(a, n), &value))
        return value;
    if (n <= 1)
        value = (1 + a->inc) % MODULUS;
    else
        value = (n * factorial_plus(a, n - 1) + a->inc) % MODULUS;
    /* If there is no memory to remember it, it is worked out again next time. */
    if (known_values != NULL)
        memo_put(known_values, key_of(a, n), value);
    return value;
}
