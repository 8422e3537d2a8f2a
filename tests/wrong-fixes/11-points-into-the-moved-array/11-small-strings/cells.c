#include "cells.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { SMALL_TEXT = 15 };

/* A cell's text: inside the cell if it is short, else in a block of its
 * own; `text` points at one or the other, and the length tells which (the
 * mistake: once realloc has moved the array, a short cell's pointer still
 * points into the array where the cell was, a block realloc freed, and
 * every read through it reads freed memory). */
typedef struct cell {
    char *text;    /* '\0'-terminated: small, or a block */
    size_t length; /* bytes before the '\0' */
    union {
        char small[SMALL_TEXT + 1]; /* text points here */
        size_t capacity;            /* otherwise, bytes allocated at text */
    };
} cell;

static bool has_block(const cell *c) { return c->length > SMALL_TEXT; }

static const char *cell_text(const cell *c) { return c->text; }

static bool cell_set(cell *c, const char *text, size_t length) {
    char *bytes;
    if (length <= SMALL_TEXT) {
        if (has_block(c))
            free(c->text);
        bytes = c->small;
    } else if (has_block(c) && length < c->capacity) {
        bytes = c->text;
    } else {
        bytes = malloc(length + 1);
        if (bytes == NULL)
            return false;
        if (has_block(c))
            free(c->text);
        c->capacity = length + 1;
    }
    memcpy(bytes, text, length);
    bytes[length] = '\0';
    c->text = bytes;
    c->length = length;
    return true;
}

static void cell_free(cell *c) {
    if (has_block(c))
        free(c->text);
}

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
