/* Exercise 14: the tally, what the report counts (tally.h). */
#include "tally.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A table starts with this many slots and doubles when it is 3/4 full, so
 * that a probe finds its key or a free slot in a few steps. */
enum { TABLE_MIN_CAPACITY = 64 };

browser browser_of(const char *agent) {
    /* Order matters: Edge's agent names Chrome and Safari too, Chrome's
     * names Safari, and a crawler's may name any of them. */
    static const char *const bot_words[] = {"bot", "crawler", "spider", "curl/", "python-"};
    for (size_t i = 0; i < sizeof bot_words / sizeof bot_words[0]; i++)
        if (strstr(agent, bot_words[i]) != NULL)
            return BROWSER_BOT;
    if (strstr(agent, "Edg/") != NULL)
        return BROWSER_EDGE;
    if (strstr(agent, "Chrome/") != NULL)
        return BROWSER_CHROME;
    if (strstr(agent, "Firefox/") != NULL)
        return BROWSER_FIREFOX;
    if (strstr(agent, "Safari/") != NULL)
        return BROWSER_SAFARI;
    return BROWSER_OTHER;
}

const char *browser_name(browser b) {
    static const char *const names[BROWSER_COUNT] = {"Chrome", "Safari", "Firefox",
                                                     "Edge",   "bots",   "other"};
    return names[b];
}

void tally_init(tally *t) { *t = (tally){0}; }

/* FNV-1a: a few instructions a byte, and spreads keys that differ only at
 * the end ("/products/1041", "/products/1042"). */
static size_t hash(const char *key, size_t length) {
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < length; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211u;
    return (size_t)h;
}

/* The slot holding the `length` bytes at `key`, or the free slot where
 * they belong. */
static tally_entry *slot_of(const tally_table *table, const char *key, size_t length) {
    size_t mask = table->capacity - 1;
    for (size_t i = hash(key, length) & mask;; i = (i + 1) & mask) {
        const char *held = table->slots[i].key;
        if (held == NULL || (strncmp(held, key, length) == 0 && held[length] == '\0'))
            return &table->slots[i];
    }
}

/* Doubles the table's slots (or makes its first ones); false if memory
 * runs out, leaving it as it was. */
static bool grow(tally_table *table) {
    size_t capacity = table->capacity == 0 ? TABLE_MIN_CAPACITY : 2 * table->capacity;
    tally_table bigger = {.slots = calloc(capacity, sizeof(tally_entry)),
                          .count = table->count,
                          .capacity = capacity};
    if (bigger.slots == NULL)
        return false;
    for (size_t i = 0; i < table->capacity; i++)
        if (table->slots[i].key != NULL)
            *slot_of(&bigger, table->slots[i].key, strlen(table->slots[i].key)) = table->slots[i];
    free(table->slots);
    *table = bigger;
    return true;
}

/* The entry of the `length` bytes at `key`, added with a copy of the key
 * if it is new; NULL if memory runs out. */
static tally_entry *entry_of(tally_table *table, const char *key, size_t length) {
    if (4 * (table->count + 1) > 3 * table->capacity && !grow(table))
        return NULL;
    tally_entry *entry = slot_of(table, key, length);
    if (entry->key == NULL) {
        char *copy = text_copy(key, length);
        if (copy == NULL)
            return NULL;
        *entry = (tally_entry){.key = copy};
        table->count++;
    }
    return entry;
}

static void count_in(tally_entry *entry, const request *r) {
    entry->requests++;
    entry->errors += r->status >= 400;
    entry->bytes += r->bytes;
    entry->total_ms += r->ms;
    if (r->ms > entry->max_ms)
        entry->max_ms = r->ms;
}

/* "www.google.com" of "https://www.google.com/search": a referrer's site,
 * or false when it names none ("-"). */
static bool site_of(const char *referrer, const char **site, size_t *length) {
    const char *scheme_end = strstr(referrer, "://");
    if (scheme_end == NULL || scheme_end[3] == '\0' || scheme_end[3] == '/')
        return false;
    *site = scheme_end + 3;
    *length = strcspn(*site, "/");
    return true;
}

static void copy_time(char destination[TALLY_TIME_SIZE], const char *time) {
    strncpy(destination, time, TALLY_TIME_SIZE - 1);
    destination[TALLY_TIME_SIZE - 1] = '\0';
}

bool tally_add(tally *t, const request *r) {
    tally_entry *page = entry_of(&t->pages, r->page, strlen(r->page));
    tally_entry *client = entry_of(&t->clients, r->client, strlen(r->client));
    if (page == NULL || client == NULL)
        return false;
    const char *site;
    size_t site_length;
    if (site_of(r->referrer, &site, &site_length)) {
        tally_entry *from = entry_of(&t->sites, site, site_length);
        if (from == NULL)
            return false;
        count_in(from, r);
    }
    if (r->ms > t->slowest_ms || t->requests == 0) {
        text_clear(&t->slowest);
        if (!text_printf(&t->slowest, "%s %s at %s from %s", r->method, r->page, r->time,
                         r->client))
            return false;
        t->slowest_ms = r->ms;
    }
    count_in(page, r);
    count_in(client, r);
    if (t->requests == 0)
        copy_time(t->first_time, r->time);
    copy_time(t->last_time, r->time);
    t->requests++;
    t->statuses[r->status / 100]++;
    t->bytes += r->bytes;
    t->hours[request_hour(r)]++;
    t->browsers[browser_of(r->agent)]++;
    return true;
}

static void free_table(tally_table *table) {
    for (size_t i = 0; i < table->capacity; i++)
        free(table->slots[i].key);
    free(table->slots);
    *table = (tally_table){0};
}

void tally_free(tally *t) {
    free_table(&t->pages);
    free_table(&t->clients);
    free_table(&t->sites);
    text_free(&t->slowest);
}

/* Whether `a` comes before `b` in `order`. */
static bool comes_first(const tally_entry *a, const tally_entry *b, tally_order order) {
    unsigned long a_value = order == BY_BYTES ? a->bytes : a->requests;
    unsigned long b_value = order == BY_BYTES ? b->bytes : b->requests;
    if (a_value != b_value)
        return a_value > b_value;
    return strcmp(a->key, b->key) < 0;
}

size_t tally_top(const tally_table *table, tally_order order, size_t n, const tally_entry **top) {
    size_t kept = 0;
    for (size_t i = 0; i < table->capacity; i++) {
        const tally_entry *entry = &table->slots[i];
        if (entry->key == NULL)
            continue;
        /* Insertion into the n kept so far: n is small (10). */
        size_t at = kept < n ? kept++ : n;
        while (at > 0 && comes_first(entry, top[at - 1], order)) {
            if (at < n)
                top[at] = top[at - 1];
            at--;
        }
        if (at < n)
            top[at] = entry;
    }
    return kept;
}
