/* Exercise 15 as a program, to run under a debugger, valgrind or heapbook:
 *
 *     build/exercises/15-lru-cache/program [CAPACITY [LOOKUPS]]
 *
 * looks up LOOKUPS user names (10000 by default) through a cache of
 * CAPACITY entries (64 by default), most of them among a few popular
 * users, and says how many the cache answered. */
#include "cache.h"

#include <stdio.h>
#include <stdlib.h>

/* A number that looks random and is the same on every run. */
static unsigned next_draw(unsigned *state) {
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

static bool parse_count(const char *text, unsigned long *count) {
    char *end;
    *count = strtoul(text, &end, 10);
    return *text != '\0' && *end == '\0' && *count > 0;
}

int main(int argc, char **argv) {
    unsigned long capacity = 64, lookups = 10000;
    if (argc > 3 || (argc > 1 && !parse_count(argv[1], &capacity)) ||
        (argc > 2 && !parse_count(argv[2], &lookups))) {
        fprintf(stderr, "usage: %s [CAPACITY [LOOKUPS]] (whole numbers above 0)\n", argv[0]);
        return 2;
    }
    cache *c = cache_new(capacity);
    if (c == NULL) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    unsigned state = 15, hits = 0;
    for (unsigned long i = 0; i < lookups; i++) {
        /* Three lookups in four among 50 popular users, the rest among 5000. */
        unsigned user = next_draw(&state) % 4 ? next_draw(&state) % 50 : next_draw(&state) % 5000;
        char key[32], value[48];
        snprintf(key, sizeof key, "user%u", user);
        if (cache_get(c, key) != NULL) {
            hits++;
            continue;
        }
        snprintf(value, sizeof value, "User number %u", user);
        if (!cache_put(c, key, value)) {
            fprintf(stderr, "%s: out of memory\n", argv[0]);
            cache_free(c);
            return 1;
        }
    }
    printf("%lu lookups through a cache of %lu: %u answered by the cache, %lu looked up\n", lookups,
           capacity, hits, lookups - hits);
    cache_free(c);
    return 0;
}
