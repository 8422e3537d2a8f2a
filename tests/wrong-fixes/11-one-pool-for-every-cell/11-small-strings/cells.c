#include "cells.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every cell's text, of every sheet, one after another in one growing block:
 * a few allocations in all.  A cell is where its text starts.  A changed
 * cell's new text goes at the end (the mistake: the old one stays, and the
 * pool is never freed, since any sheet may still use it). */
typedef struct cell {
    size_t start, length;
} cell;

static struct {
    char *bytes;
    size_t used, capacity;
} pool;

enum { FIRST_POOL = 4096 };

static const char *cell_text(const cell *c) { return pool.bytes + c->start; }

static bool cell_set(cell *c, const char *text, size_t length) {
    if (pool.capacity - pool.used < length + 1) {
        size_t capacity = pool.capacity == 0 ? FIRST_POOL : pool.capacity;
        while (capacity - pool.used < length + 1)
            capacity *= 2;
        char *grown = realloc(pool.bytes, capacity);
        if (grown == NULL)
            return false;
        pool.bytes = grown;
        pool.capacity = capacity;
    }
    memcpy(pool.bytes + pool.used, text, length);
    pool.bytes[pool.used + length] = '\0';
    *c = (cell){pool.used, length};
    pool.used += length + 1;
    return true;
}

static void cell_free(cell *c) { (void)c; }

/* ---- The array: cells side by side, moved as plain bytes by realloc and
 * memmove.  Nothing below depends on how a cell keeps its text. ---------- */

struct cell_array {
    cell *cells;
    size_t count, capacity;
};

/* Room for a row or so of cells at first; more doubles it. */
enum { FIRST_CAPACITY = 8 };

cell_array *cell_array_new(void) {
    cell_array *cells = malloc(sizeof *cells);
    if (cells != NULL)
        *cells = (cell_array){NULL, 0, 0};
    return cells;
}

void cell_array_free(cell_array *cells) {
    if (cells == NULL)
        return;
    for (size_t i = 0; i < cells->count; i++)
        cell_free(&cells->cells[i]);
    free(cells->cells);
    free(cells);
}

size_t cell_array_count(const cell_array *cells) { return cells->count; }

bool cell_array_push(cell_array *cells, const char *text, size_t length) {
    if (cells->count == cells->capacity) {
        size_t capacity = cells->capacity == 0 ? FIRST_CAPACITY : 2 * cells->capacity;
        cell *grown = realloc(cells->cells, capacity * sizeof *grown);
        if (grown == NULL)
            return false;
        cells->cells = grown;
        cells->capacity = capacity;
    }
    cell *c = &cells->cells[cells->count];
    *c = (cell){0};
    if (!cell_set(c, text, length))
        return false;
    cells->count++;
    return true;
}

const char *cell_array_text(const cell_array *cells, size_t i) {
    return cell_text(&cells->cells[i]);
}

bool cell_array_set(cell_array *cells, size_t i, const char *text, size_t length) {
    return cell_set(&cells->cells[i], text, length);
}

void cell_array_remove(cell_array *cells, size_t first, size_t count) {
    for (size_t i = first; i < first + count; i++)
        cell_free(&cells->cells[i]);
    memmove(&cells->cells[first], &cells->cells[first + count],
            (cells->count - first - count) * sizeof(cell));
    cells->count -= count;
}
