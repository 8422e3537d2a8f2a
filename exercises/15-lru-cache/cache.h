/* Exercise 15: Who owns the node?  The contract the tests check; do not
 * change it.
 *
 * A cache of text values by text key that keeps at most `capacity`
 * entries: when it is full, putting a new key first drops the entry used
 * least recently (by cache_put or cache_get).  It owns copies of every key
 * and value it holds. */
#ifndef CACHE_H
#define CACHE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cache cache;

/* A new, empty cache for at most `capacity` entries (at least 1), or NULL
 * if memory ran out.  cache_free() frees it. */
cache *cache_new(size_t capacity);

/* Keeps `value` for `key`, both copied: a key already there gets the new
 * value; a new one, if the cache is full, takes the place of the entry
 * used least recently.  Either way the key becomes the most recently used.
 * False if memory ran out: the cache is then exactly as it was. */
bool cache_put(cache *c, const char *key, const char *value);

/* The value kept for `key`, which becomes the most recently used; NULL if
 * the cache has no such key.  The cache owns the value: it stays valid
 * until the next cache_put or cache_free. */
const char *cache_get(cache *c, const char *key);

/* How many entries the cache holds. */
size_t cache_count(const cache *c);

/* Frees the cache and every key and value in it; NULL does nothing. */
void cache_free(cache *c);

#endif
