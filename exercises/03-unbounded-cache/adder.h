/* Exercise 03: The cache that never forgets.  The contract the tests check;
 * do not change it.
 *
 * An adder works out, for its own increment `inc`, the sequence
 *
 *     f(0) = f(1) = 1 + inc,    f(n) = n * f(n - 1) + inc  for n >= 2,
 *
 * so with inc 0, f(n) is n!, and with inc 5, f(3) = 56 and f(4) = 229.  The
 * values soon outgrow any integer type, so they are kept modulo 10^9: every
 * value returned is the last nine decimal digits of the true f(n). */
#ifndef ADDER_H
#define ADDER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct adder adder;

/* A new adder for `inc`; NULL if memory runs out.  Free it with
 * adder_destroy(). */
adder *adder_create(unsigned inc);

/* Frees the adder and everything it holds; NULL does nothing. */
void adder_destroy(adder *a);

/* f(n) modulo 1,000,000,000.  Remembers the values it works out, so asking
 * again, or for n + 1, is quick.  Never fails: a value it has no memory to
 * remember is worked out again when next asked for. */
uint64_t factorial_plus(adder *a, unsigned n);

/* Memray's generate_factorial_plus_last_digit: for inc = 0, 1, ..., incs - 1
 * in turn, creates an adder, calls visit(f(n) % 10, context) for
 * n = 0, 1, ..., ns - 1, and destroys the adder before creating the next.
 * Returns false, having stopped, if an adder could not be created. */
bool visit_last_digits(unsigned incs, unsigned ns, void (*visit)(unsigned digit, void *context),
                       void *context);

/* Sets counts[d] to how many of the digits visit_last_digits(incs, ns, ...)
 * visits are d.  Returns false if memory ran out (the counts are then
 * incomplete). */
bool count_last_digits(unsigned incs, unsigned ns, unsigned long counts[10]);

#endif
