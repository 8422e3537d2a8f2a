#include "hb_baseline.h"

#include "hb_size.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { MAX_ENTRIES = 1024, MAX_NAME = 128 };

typedef struct entry {
    char test[MAX_NAME];
    size_t peak, leaked;
    unsigned long long allocations;
} entry;

static entry entries[MAX_ENTRIES];
static size_t entry_count;

static entry *find(const char *test) {
    for (size_t i = 0; i < entry_count; i++)
        if (strcmp(entries[i].test, test) == 0)
            return &entries[i];
    return NULL;
}

bool hb_baseline_load(const char *path) {
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return errno == ENOENT;
    entry e;
    int fields;
    unsigned line = 0;
    while ((fields = fscanf(in, "%127s\t%zu\t%zu\t%llu\n", e.test, &e.peak, &e.leaked,
                            &e.allocations)) == 4 &&
           entry_count < MAX_ENTRIES) {
        entries[entry_count++] = e;
        line++;
    }
    bool ok = fields == EOF;
    if (!ok)
        fprintf(stderr, "heapbook: %s:%u: not \"test<TAB>peak<TAB>leaked<TAB>allocations\"\n", path,
                line + 1);
    fclose(in);
    return ok;
}

/* Appends one line if `now` exceeds `before`. */
static bool compare_bytes(hb_text *report, const char *what, size_t before, size_t now) {
    if (now <= before)
        return false;
    char a[HB_SIZE_TEXT], b[HB_SIZE_TEXT], d[HB_SIZE_TEXT];
    hb_text_printf(report, "\n      %s: %s -> %s (+%s)", what, hb_size_format(before, a),
                   hb_size_format(now, b), hb_size_format(now - before, d));
    return true;
}

bool hb_baseline_exceeded(const hb_result *result, hb_text *report) {
    const entry *e = find(result->test);
    if (e == NULL || !result->measured)
        return false;
    hb_text lines = {0};
    bool worse = compare_bytes(&lines, "peak", e->peak, result->usage.peak_bytes);
    worse |= compare_bytes(&lines, "leaked", e->leaked, result->usage.live_bytes);
    if (result->usage.allocations > e->allocations) {
        hb_text_printf(&lines, "\n      allocations: %llu -> %llu (+%llu)", e->allocations,
                       (unsigned long long)result->usage.allocations,
                       (unsigned long long)result->usage.allocations - e->allocations);
        worse = true;
    }
    if (worse)
        hb_text_printf(report, "%s: uses more memory than its last passing run%s", result->test,
                       hb_text_get(&lines));
    hb_text_free(&lines);
    return worse;
}

void hb_baseline_update(const hb_result *result) {
    if (!result->measured)
        return;
    entry *e = find(result->test);
    if (e == NULL && entry_count < MAX_ENTRIES)
        e = &entries[entry_count++];
    if (e == NULL)
        return;
    snprintf(e->test, sizeof e->test, "%s", result->test);
    e->peak = result->usage.peak_bytes;
    e->leaked = result->usage.live_bytes;
    e->allocations = (unsigned long long)result->usage.allocations;
}

bool hb_baseline_save(const char *path) {
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        perror(path);
        return false;
    }
    for (size_t i = 0; i < entry_count; i++)
        fprintf(out, "%s\t%zu\t%zu\t%llu\n", entries[i].test, entries[i].peak, entries[i].leaked,
                entries[i].allocations);
    return fclose(out) == 0;
}
