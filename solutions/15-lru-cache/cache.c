/* Exercise 15: Who owns the node?  A cache that forgets what was used
 * least recently (cache.h).
 *
 * Every entry is in two linked structures at once:
 *   - its bucket's chain, for finding a key: the entries whose key hashes
 *     to the same bucket, linked by next_in_bucket;
 *   - the recency list, for finding what to drop: every entry, from the
 *     newest (used most recently) to the oldest, linked both ways.
 * An entry is freed once, by whoever takes it out of the cache, and only
 * once it is in neither structure.
 *
 * The reference solution: drop_oldest() takes the entry out of its
 * bucket's chain too before freeing it, and entry_new()'s error path frees
 * the entry once (entry_destroy() already frees it). */
#include "cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BUCKETS = 64 };

typedef struct entry {
    char *key;
    char *value;
    struct entry *newer, *older;  /* the recency list */
    struct entry *next_in_bucket; /* the bucket's chain */
} entry;

struct cache {
    size_t capacity, count;
    entry *newest, *oldest;
    entry *buckets[BUCKETS];
};

static size_t bucket_of(const char *key) {
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (; *key != '\0'; key++)
        hash = (hash ^ (unsigned char)*key) * 16777619u;
    return hash % BUCKETS;
}

static char *copy_text(const char *text) {
    size_t size = strlen(text) + 1;
    char *copy = malloc(size);
    if (copy != NULL)
        memcpy(copy, text, size);
    return copy;
}

/* Frees the entry's key, its value and the entry itself. */
static void entry_destroy(entry *e) {
    free(e->key);
    free(e->value);
    free(e);
}

/* A new entry with copies of key and value, in no list yet; NULL if
 * memory ran out. */
static entry *entry_new(const char *key, const char *value) {
    entry *e = malloc(sizeof *e);
    if (e == NULL)
        return NULL;
    e->key = copy_text(key);
    e->value = copy_text(value);
    if (e->key == NULL || e->value == NULL) {
        entry_destroy(e);
        return NULL;
    }
    e->newer = e->older = e->next_in_bucket = NULL;
    return e;
}

static entry *find(const cache *c, const char *key) {
    for (entry *e = c->buckets[bucket_of(key)]; e != NULL; e = e->next_in_bucket)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

/* ---- the recency list ---- */

static void unlink_recency(cache *c, entry *e) {
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void link_newest(cache *c, entry *e) {
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest != NULL)
        c->newest->newer = e;
    c->newest = e;
    if (c->oldest == NULL)
        c->oldest = e;
}

/* ---- the bucket's chain ---- */

static void unlink_bucket(cache *c, entry *e) {
    entry **link = &c->buckets[bucket_of(e->key)];
    while (*link != e)
        link = &(*link)->next_in_bucket;
    *link = e->next_in_bucket;
    e->next_in_bucket = NULL;
}

/* ---- the cache ---- */

cache *cache_new(size_t capacity) {
    cache *c = calloc(1, sizeof *c);
    if (c != NULL)
        c->capacity = capacity > 0 ? capacity : 1;
    return c;
}

/* Drops the entry used least recently. */
static void drop_oldest(cache *c) {
    entry *old = c->oldest;
    unlink_recency(c, old);
    unlink_bucket(c, old);
    entry_destroy(old);
    c->count--;
}

bool cache_put(cache *c, const char *key, const char *value) {
    entry *e = find(c, key);
    if (e != NULL) {
        char *copy = copy_text(value);
        if (copy == NULL)
            return false;
        free(e->value);
        e->value = copy;
        unlink_recency(c, e);
        link_newest(c, e);
        return true;
    }
    e = entry_new(key, value);
    if (e == NULL)
        return false;
    if (c->count == c->capacity)
        drop_oldest(c);
    size_t bucket = bucket_of(key);
    e->next_in_bucket = c->buckets[bucket];
    c->buckets[bucket] = e;
    link_newest(c, e);
    c->count++;
    return true;
}

const char *cache_get(cache *c, const char *key) {
    entry *e = find(c, key);
    if (e == NULL)
        return NULL;
    unlink_recency(c, e);
    link_newest(c, e);
    return e->value;
}

size_t cache_count(const cache *c) { return c->count; }

void cache_free(cache *c) {
    if (c == NULL)
        return;
    for (entry *e = c->newest, *older; e != NULL; e = older) {
        older = e->older;
        entry_destroy(e);
    }
    free(c);
}
