/* Exercise 15: Who owns the node?  Correctness first, then memory. */
#define HB_SUITE_NAME "15-lru-cache"
#include "heapbook.h"

#include "cache.h"

#include <stdio.h>
#include <string.h>

/* key N's text: "key-N"; its value's: "value of key-N, version V". */
static void key_text(char *key, size_t size, unsigned n) { snprintf(key, size, "key-%u", n); }
static void value_text(char *value, size_t size, unsigned n, unsigned version) {
    snprintf(value, size, "value of key-%u, version %u", n, version);
}

static void put(cache *c, unsigned n, unsigned version) {
    char key[16], value[48];
    key_text(key, sizeof key, n);
    value_text(value, sizeof value, n, version);
    HB_ASSERT_EQ_FATAL(cache_put(c, key, value), true);
}

/* key n is there with that version of its value (version 0: not there). */
static void assert_kept(cache *c, unsigned n, unsigned version) {
    char key[16], value[48];
    key_text(key, sizeof key, n);
    const char *kept = cache_get(c, key);
    if (version == 0) {
        HB_ASSERT_NULL(kept);
        return;
    }
    value_text(value, sizeof value, n, version);
    HB_ASSERT_NOT_NULL_FATAL(kept);
    HB_ASSERT_STR_EQ(kept, value);
}

HB_TEST(test_a_new_cache_is_empty) {
    cache *c = cache_new(4);
    HB_ASSERT_NOT_NULL_FATAL(c);
    HB_ASSERT_EQ(cache_count(c), 0);
    HB_ASSERT_NULL(cache_get(c, "key-1"));
    cache_free(c);
    cache_free(NULL);
}

HB_TEST(test_put_then_get) {
    cache *c = cache_new(4);
    HB_ASSERT_NOT_NULL_FATAL(c);
    for (unsigned n = 1; n <= 3; n++)
        put(c, n, 1);
    HB_ASSERT_EQ(cache_count(c), 3);
    for (unsigned n = 1; n <= 3; n++)
        assert_kept(c, n, 1);
    assert_kept(c, 4, 0);
    cache_free(c);
}

HB_TEST(test_put_copies_the_key_and_the_value) {
    cache *c = cache_new(2);
    HB_ASSERT_NOT_NULL_FATAL(c);
    char key[] = "colour", value[] = "blue";
    HB_ASSERT_EQ_FATAL(cache_put(c, key, value), true);
    strcpy(key, "COLOUR");
    strcpy(value, "BLUE");
    HB_ASSERT_STR_EQ(cache_get(c, "colour"), "blue");
    cache_free(c);
}

HB_TEST(test_put_replaces_the_value) {
    cache *c = cache_new(2);
    HB_ASSERT_NOT_NULL_FATAL(c);
    put(c, 1, 1);
    put(c, 1, 2);
    HB_ASSERT_EQ(cache_count(c), 1);
    assert_kept(c, 1, 2);
    cache_free(c);
}

/* The cache full, the entry used least recently goes: key 2, since key 1
 * was read after it was put. */
HB_TEST(test_the_least_recently_used_goes) {
    cache *c = cache_new(3);
    HB_ASSERT_NOT_NULL_FATAL(c);
    put(c, 1, 1);
    put(c, 2, 1);
    put(c, 3, 1);
    assert_kept(c, 1, 1);
    put(c, 4, 1);
    HB_ASSERT_EQ(cache_count(c), 3);
    assert_kept(c, 2, 0);
    assert_kept(c, 1, 1);
    assert_kept(c, 3, 1);
    assert_kept(c, 4, 1);
    cache_free(c);
}

/* ---- many keys, against a model: the keys from newest to oldest ---- */

enum { MOST_KEPT = 64 };

typedef struct model {
    unsigned keys[MOST_KEPT], versions[MOST_KEPT];
    size_t count, capacity;
} model;

static size_t model_find(const model *m, unsigned n) {
    for (size_t i = 0; i < m->count; i++)
        if (m->keys[i] == n)
            return i;
    return m->count;
}

/* Moves entry i to the front (the newest). */
static void model_touch(model *m, size_t i) {
    unsigned key = m->keys[i], version = m->versions[i];
    memmove(m->keys + 1, m->keys, i * sizeof m->keys[0]);
    memmove(m->versions + 1, m->versions, i * sizeof m->versions[0]);
    m->keys[0] = key;
    m->versions[0] = version;
}

static void model_put(model *m, unsigned n, unsigned version) {
    size_t i = model_find(m, n);
    if (i == m->count) {
        if (m->count < m->capacity)
            m->count++;
        i = m->count - 1; /* the oldest, or the new last place */
        m->keys[i] = n;
    }
    m->versions[i] = version;
    model_touch(m, i);
}

/* `steps` puts and gets of keys below `keys` through a cache of
 * `capacity`, each checked against the model; `draw` picks each. */
static void churn(size_t capacity, unsigned keys, unsigned steps,
                  unsigned (*draw)(unsigned below)) {
    model m = {.capacity = capacity};
    cache *c = cache_new(capacity);
    HB_ASSERT_NOT_NULL_FATAL(c);
    for (unsigned step = 1; step <= steps; step++) {
        unsigned n = draw(keys);
        size_t i = model_find(&m, n);
        if (draw(3) == 0) {
            put(c, n, step);
            model_put(&m, n, step);
        } else {
            assert_kept(c, n, i < m.count ? m.versions[i] : 0);
            if (i < m.count)
                model_touch(&m, i);
        }
        HB_ASSERT_EQ_FATAL(cache_count(c), m.count);
    }
    cache_free(c);
}

/* The same numbers on every run: a linear congruential generator. */
static unsigned fixed_state;
static unsigned fixed_draw(unsigned below) {
    fixed_state = fixed_state * 1103515245u + 12345u;
    return (fixed_state >> 8) % below;
}

static unsigned random_draw(unsigned below) {
    return (unsigned)hb_random_named("key or choice", 0, below - 1);
}

HB_TEST(test_many_keys_through_a_small_cache) {
    fixed_state = 15;
    churn(8, 40, 3000, fixed_draw);
}

/* ---- out of memory ---- */

/* Puts into a full cache of 2: a new key (one entry dropped), then a new
 * value for a key there.  Each may fail; then the cache is as it was. */
static void put_while_memory_runs_out(void) {
    cache *c = cache_new(2);
    if (c == NULL)
        return;
    if (cache_put(c, "a", "apple") && cache_put(c, "b", "banana")) {
        if (cache_put(c, "c", "cherry")) {
            HB_ASSERT_NULL(cache_get(c, "a"));
            HB_ASSERT_STR_EQ(cache_get(c, "c"), "cherry");
        } else {
            HB_ASSERT_EQ(cache_count(c), 2);
            HB_ASSERT_STR_EQ(cache_get(c, "a"), "apple");
            HB_ASSERT_NULL(cache_get(c, "c"));
        }
        if (cache_put(c, "b", "blueberry"))
            HB_ASSERT_STR_EQ(cache_get(c, "b"), "blueberry");
        else
            HB_ASSERT_STR_EQ(cache_get(c, "b"), "banana");
    }
    cache_free(c);
}

HB_TEST(test_put_copes_when_memory_runs_out) { hb_fail_each_allocation(put_while_memory_runs_out); }

/* ---- memory ---- */

/* 256 keys of 7 characters and values of 30, in a cache of 256: every
 * entry stays, none is dropped. */
HB_MEMORY_TEST(test_full_cache_memory, .peak = "24 KiB", .leaks = "0 B") {
    cache *c = cache_new(256);
    HB_ASSERT_NOT_NULL_FATAL(c);
    for (unsigned n = 100; n < 356; n++)
        put(c, n, 1);
    HB_ASSERT_EQ(cache_count(c), 256);
    for (unsigned n = 100; n < 356; n++)
        assert_kept(c, n, 1);
    cache_free(c);
}

/* Far more keys than room: the cache must stay as small as its capacity,
 * whatever it drops. */
HB_MEMORY_TEST(test_churn_memory, .peak = "8 KiB", .leaks = "0 B") {
    fixed_state = 2026;
    churn(MOST_KEPT, 500, 5000, fixed_draw);
}

HB_MEMORY_TEST(test_random_churn_memory, .peak = "8 KiB", .leaks = "0 B") {
    size_t capacity = hb_random_named("capacity", 1, MOST_KEPT);
    churn(capacity, (unsigned)hb_random_named("keys", capacity + 16, 10 * MOST_KEPT), 3000,
          random_draw);
}
