/* Exercise 03: memo, a table that remembers results, like Python's
 * functools.cache: a hash table from 64-bit keys to 64-bit values.
 *
 * It grows as entries are added and never forgets one: every entry stays
 * until memo_destroy().  You should not need to change it. */
#ifndef MEMO_H
#define MEMO_H

#include <stdbool.h>
#include <stdint.h>

typedef struct memo memo;

/* A new, empty memo; NULL if memory runs out. */
memo *memo_create(void);

/* Frees the memo and every entry; NULL does nothing. */
void memo_destroy(memo *m);

/* If `key` was stored, copies its value to *value and returns true. */
bool memo_get(const memo *m, uint64_t key, uint64_t *value);

/* Stores `value` under `key`, replacing any value stored before.  Returns
 * false, leaving the memo as it was, if memory runs out. */
bool memo_put(memo *m, uint64_t key, uint64_t value);

#endif
