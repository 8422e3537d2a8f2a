/* Exercise 14: the tally, what the report counts.  The contract the tests
 * check; do not change it. */
#ifndef TALLY_H
#define TALLY_H

#include "request.h"
#include "text.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum browser {
    BROWSER_CHROME,
    BROWSER_SAFARI,
    BROWSER_FIREFOX,
    BROWSER_EDGE,
    BROWSER_BOT, /* crawlers and scripts: Googlebot, curl, ... */
    BROWSER_OTHER,
    BROWSER_COUNT
} browser;

/* Which browser a "User-Agent" names ("-" is BROWSER_OTHER). */
browser browser_of(const char *agent);

/* "Chrome", "Safari", ..., "bots", "other". */
const char *browser_name(browser b);

/* What the tally counts of a page, a client or a referring site. */
typedef struct tally_entry {
    char *key; /* a copy of its own: "/products/1042", "203.0.113.7", "www.google.com" */
    unsigned long requests;
    unsigned long errors;   /* answered with a status of 400 or more */
    unsigned long bytes;    /* sent */
    unsigned long total_ms; /* taken by them all */
    unsigned long max_ms;   /* taken by the slowest */
} tally_entry;

/* Entries by key, in no order. */
typedef struct tally_table {
    tally_entry *slots;
    size_t count, capacity;
} tally_table;

/* "12/Mar/2025:20:14:02 +0000" and its '\0'. */
enum { TALLY_TIME_SIZE = 27 };

typedef struct tally {
    unsigned long requests;
    unsigned long skipped;     /* lines that were not requests */
    unsigned long statuses[6]; /* by the status's first digit: statuses[2] counts 2xx */
    unsigned long long bytes;
    unsigned long hours[24]; /* requests made in each hour of the day */
    unsigned long browsers[BROWSER_COUNT];
    char first_time[TALLY_TIME_SIZE], last_time[TALLY_TIME_SIZE];
    unsigned long slowest_ms;
    text slowest; /* the slowest request: "POST /checkout at TIME from CLIENT" */
    tally_table pages, clients, sites;
} tally;

/* An empty tally. */
void tally_init(tally *t);

/* Counts the request; its strings stay the caller's (what the tally keeps,
 * it copies).  false if memory runs out: the tally can still be freed. */
bool tally_add(tally *t, const request *r);

/* Frees what the tally holds. */
void tally_free(tally *t);

typedef enum tally_order { BY_REQUESTS, BY_BYTES } tally_order;

/* The (at most) `n` entries of `table` that come first in `order`, most
 * first, ties by key, into top[0..n); returns how many there are. */
size_t tally_top(const tally_table *table, tally_order order, size_t n, const tally_entry **top);

#endif
