/* Exercise 11: Small strings, a wrong fix.
 *
 * As the solution, but a long text that needs a bigger block frees the old
 * block before it makes the new one: when that allocation fails, the cell
 * keeps a pointer to the block it freed. */
#include "cells.h"

#include <stdlib.h>
#include <string.h>

/* The most bytes of text a cell holds inside itself, its '\0' aside: as
 * many as fit where a long text keeps its pointer and capacity. */
enum { SMALL_TEXT = 15 };

/* A cell's text: inside the cell if it is short, else in a block of its
 * own, kept when the text changes if the new one fits.  Which of the two
 * the union holds follows from the length alone, and nothing in a cell
 * points into the cell: it means the same wherever realloc or memmove puts
 * it.  A cell of zero bytes is the empty text. */
typedef struct cell {
    size_t length; /* bytes before the '\0' */
    union {
        char small[SMALL_TEXT + 1]; /* length <= SMALL_TEXT */
        struct {
            char *text;      /* '\0'-terminated */
            size_t capacity; /* bytes allocated at text */
        } large;             /* length > SMALL_TEXT */
    };
} cell;

_Static_assert(sizeof(cell) == 24, "a cell is a length and 16 bytes of text or pointer");

static bool is_small(const cell *c) { return c->length <= SMALL_TEXT; }

static const char *cell_text(const cell *c) { return is_small(c) ? c->small : c->large.text; }

/* Makes the cell hold text[0 .. length); false if memory runs out, and the
 * cell is then unchanged.  A long text keeps the cell's block if it fits,
 * and a short one gives it back; a new block is made before the old one
 * goes. */
static bool cell_set(cell *c, const char *text, size_t length) {
    char *bytes;
    if (length <= SMALL_TEXT) {
        if (!is_small(c))
            free(c->large.text);
        bytes = c->small;
    } else if (!is_small(c) && length < c->large.capacity) {
        bytes = c->large.text;
    } else {
        if (!is_small(c))
            free(c->large.text); /* the mistake: before the copy that may fail */
        bytes = malloc(length + 1);
        if (bytes == NULL)
            return false;
        c->large.text = bytes;
        c->large.capacity = length + 1;
    }
    memcpy(bytes, text, length);
    bytes[length] = '\0';
    c->length = length;
    return true;
}

static void cell_free(cell *c) {
    if (!is_small(c))
        free(c->large.text);
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
