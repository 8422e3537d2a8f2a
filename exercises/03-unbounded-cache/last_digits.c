/* Exercise 03: the last digits of many adders' sequences, as Memray's
 * tutorial counts them.  Nothing to fix here: the trouble is in adder.c. */
#include "adder.h"

#include <stddef.h>

bool visit_last_digits(unsigned incs, unsigned ns, void (*visit)(unsigned digit, void *context),
                       void *context) {
    for (unsigned inc = 0; inc < incs; inc++) {
        adder *a = adder_create(inc);
        if (a == NULL)
            return false;
        for (unsigned n = 0; n < ns; n++)
            visit((unsigned)(factorial_plus(a, n) % 10), context);
        adder_destroy(a);
    }
    return true;
}

static void count_digit(unsigned digit, void *counts) { ((unsigned long *)counts)[digit]++; }

bool count_last_digits(unsigned incs, unsigned ns, unsigned long counts[10]) {
    for (unsigned d = 0; d < 10; d++)
        counts[d] = 0;
    return visit_last_digits(incs, ns, count_digit, counts);
}
