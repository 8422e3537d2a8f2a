/* Exercise 11: Small strings.
 *
 * The tests in tests/exercises/test_11_small_strings.c pass for
 * correctness, but the memory tests fail: reading a sheet makes an
 * allocation for every cell, most of them a few bytes long.  Run
 * `make test EX=11`, read which line makes the allocations, and change this
 * file (not the tests) until the suite passes.  The lesson:
 * docs/11-small-strings.md. */
#include "cells.h"

#include <stdlib.h>
#include <string.h>

/* A cell's text, in a block of its own, kept when the text changes if the
 * new one fits.  A cell of zero bytes is the empty text. */
typedef struct cell {
    char *text;      /* '\0'-terminated */
    size_t length;   /* bytes before the '\0' */
    size_t capacity; /* bytes allocated at text */
} cell;

static const char *cell_text(const cell *c) { return c->text != NULL ? c->text : ""; }

/* Makes the cell hold text[0 .. length); false if memory runs out, and the
 * cell is then unchanged. */
static bool cell_set(cell *c, const char *text, size_t length) {
    if (length + 1 > c->capacity) {
        char *grown = realloc(c->text, length + 1);
        if (grown == NULL)
            return false;
        c->text = grown;
        c->capacity = length + 1;
    }
    memcpy(c->text, text, length);
    c->text[length] = '\0';
    c->length = length;
    return true;
}

static void cell_free(cell *c) { free(c->text); }

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
