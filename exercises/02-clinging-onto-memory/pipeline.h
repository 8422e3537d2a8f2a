/* Exercise 02: Clinging onto memory.  The contract the tests check; do not
 * change it. */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stddef.h>

/* Makes `count` samples, sample i being i % 100 (a sawtooth wave), and runs
 * them through four steps in turn: subtract 3, square, double, add 10.  So
 * element i of the result is 2 * (i % 100 - 3)^2 + 10, a whole number that a
 * double holds exactly.
 *
 * Returns a new array of `count` doubles, which the caller frees; NULL if
 * memory ran out, in which case nothing is left allocated. */
double *process_data(size_t count);

#endif
