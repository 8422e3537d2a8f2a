/* Exercise 16: Bytes nobody wrote.  The contract the tests check; do not
 * change it.
 *
 * A tally of short words: how many times each was added, in the order
 * each was first seen.  A word is 1 to TALLY_LONGEST_WORD bytes, any but
 * '\0'. */
#ifndef TALLY_H
#define TALLY_H

#include <stdbool.h>
#include <stddef.h>

enum { TALLY_LONGEST_WORD = 15 };

typedef struct tally tally;

/* A new, empty tally, or NULL if memory ran out.  tally_free() frees it. */
tally *tally_new(void);

/* Counts one more of `word` (copied).  False if the word is empty or
 * longer than TALLY_LONGEST_WORD, or if memory ran out: the tally is then
 * as it was. */
bool tally_add(tally *t, const char *word);

/* How many times `word` was added: 0 if never. */
unsigned tally_count(const tally *t, const char *word);

/* How many different words the tally holds, and the i-th of them in the
 * order each was first added (i below tally_words(t)); the tally owns it. */
size_t tally_words(const tally *t);
const char *tally_word(const tally *t, size_t i);

/* Frees the tally; NULL does nothing. */
void tally_free(tally *t);

#endif
