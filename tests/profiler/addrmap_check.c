/* addrmap_check: profiler/addrmap.c against the simplest table that can be
 * trusted (an array with a place for every address drawn), the way heapbook run uses
 * it: puts, takes and finds of addresses, the same address put again
 * (a free that was missed), and a table that grows.  Then the case the
 * random draws rarely reach: a dozen addresses of one bucket, which fill
 * it and go past it into the next ones, taken back in an order that leaves
 * holes before the ones that went past.
 *
 * Prints "addrmap: N operations, same answers" and exits 0, or says the
 * first difference and exits 1. */
#include "addrmap.h"

#include <stdio.h>
#include <stdlib.h>

enum { SPAN = 1 << 20, OPERATIONS = 2000000 };

/* Addresses BASE + 16 k, k from 1 to SPAN - 1, each one's state at k. */
static const uint64_t BASE = 0x555555000000;
typedef struct reference {
    bool live[SPAN];
    uint32_t info[SPAN];
    size_t count;
} reference;

static size_t slot_of(uint64_t address) { return (size_t)((address - BASE) / 16); }

static uint64_t state = 0x616464726d6170;
static uint64_t next_random(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * UINT64_C(0x2545F4914F6CDD1D);
}

static int differs(const char *what, uint64_t address, long step) {
    printf("addrmap: %s differs from the reference for address 0x%llx at operation %ld\n", what,
           (unsigned long long)address, step);
    return 1;
}

/* One operation on both tables; 1 if their answers differ. */
static int operate(addrmap *map, reference *r, int kind, uint64_t address, uint32_t info,
                   long step) {
    size_t k = slot_of(address);
    bool known = r->live[k];
    uint32_t got = 0;
    if (kind == 0) {
        if (!addrmap_put(map, address, info, &got))
            return differs("put (out of memory)", address, step);
        if (got != (known ? r->info[k] : 0))
            return differs("put's replaced info", address, step);
        r->count += !known;
        r->live[k] = true;
        r->info[k] = info;
    } else if (kind == 1) {
        bool taken = addrmap_take(map, address, &got);
        if (taken != known || (known && got != r->info[k]))
            return differs("take", address, step);
        r->count -= known;
        r->live[k] = false;
    } else {
        bool found = addrmap_find(map, address, &got);
        if (found != known || (known && got != r->info[k]))
            return differs("find", address, step);
    }
    return map->used == r->count ? 0 : differs("the count of live blocks", address, step);
}

/* Random operations on addresses of a space of `space` (each one put,
 * taken and put again often in a small space; the table grows in a large
 * one). */
static int random_operations(addrmap *map, reference *r, uint64_t space, long *step) {
    for (long i = 0; i < OPERATIONS / 2; i++, (*step)++) {
        uint64_t address = BASE + 16 * (next_random() % space + 1);
        int kind = (int)(next_random() % 3);
        if (operate(map, r, kind, address, (uint32_t)next_random() | 1, *step))
            return 1;
    }
    return 0;
}

/* Twelve addresses of one bucket (three buckets' worth): put, then every
 * other one taken, the first ones first, leaving holes before the ones
 * that went past; each found or not, then the rest taken. */
static int one_bucket(addrmap *map, reference *r, long *step) {
    uint64_t same[12];
    size_t home = 0, count = 0;
    for (uint64_t candidate = BASE + 16; count < 12 && slot_of(candidate) < SPAN; candidate += 16)
        if (!r->live[slot_of(candidate)] && (count == 0 || addrmap_home(map, candidate) == home)) {
            home = addrmap_home(map, candidate);
            same[count++] = candidate;
        }
    if (count < 12) {
        printf("addrmap: not twelve free addresses of one bucket in the span\n");
        return 1;
    }
    for (size_t i = 0; i < 12; i++, (*step)++)
        if (operate(map, r, 0, same[i], (uint32_t)i + 1, *step))
            return 1;
    for (size_t i = 0; i < 12; i += 2, (*step)++)
        if (operate(map, r, 1, same[i], 0, *step))
            return 1;
    for (size_t i = 0; i < 12; i++, (*step)++)
        if (operate(map, r, 2, same[i], 0, *step))
            return 1;
    for (size_t i = 1; i < 12; i += 2, (*step)++)
        if (operate(map, r, 1, same[i], 0, *step) || operate(map, r, 2, same[i], 0, *step))
            return 1;
    return 0;
}

int main(void) {
    static reference r;
    addrmap map = {0};
    long step = 0;
    if (random_operations(&map, &r, 4096, &step) || one_bucket(&map, &r, &step) ||
        random_operations(&map, &r, 600000, &step))
        return 1;
    /* Every address the table says it has. */
    uint64_t *addresses = malloc((map.used + 1) * sizeof *addresses);
    if (addresses == NULL)
        return 1;
    addrmap_addresses(&map, addresses);
    for (size_t i = 0; i < map.used; i++)
        if (addresses[i] < BASE + 16 || slot_of(addresses[i]) >= SPAN ||
            !r.live[slot_of(addresses[i])])
            return differs("the list of addresses", addresses[i], step);
    free(addresses);
    addrmap_free(&map);
    printf("addrmap: %ld operations, same answers\n", step);
    return 0;
}
