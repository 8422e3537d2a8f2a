/* Exercise 05: Streaming instead of slurping.  The contract the tests check;
 * do not change it. */
#ifndef WORD_COUNT_H
#define WORD_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What `wc` prints, counted the same way in the C locale. */
typedef struct word_counts {
    size_t lines; /* newline characters, so a last line without one is not counted */
    size_t words; /* runs of characters that are not white space (isspace) */
    size_t bytes;
} word_counts;

/* Counts the lines, words and bytes of everything left to read in `in`, up
 * to its end.  Returns true when the whole input was counted; false if
 * reading failed or memory ran out, and *counts then holds what was counted
 * before that.  The caller still owns `in` and closes it. */
bool word_count(FILE *in, word_counts *counts);

#endif
