/* Exercise 11: Small strings.  The contract the tests check; do not change
 * it. */
#ifndef SHEET_H
#define SHEET_H

#include <stdbool.h>
#include <stddef.h>

/* A table of text cells read from CSV: rows of cells, every row with as
 * many cells as the first. */
typedef struct sheet sheet;

typedef enum sheet_error {
    SHEET_OK = 0,
    SHEET_RAGGED_ROW, /* a row with more or fewer cells than the first */
    SHEET_OUT_OF_MEMORY,
} sheet_error;

/* Reads csv[0 .. length) into a new sheet in *out, which the caller frees
 * with sheet_free().  Lines end with '\n' (the last may end without it);
 * cells are separated by ','; a cell is every byte between, spaces
 * included (no quoting).  Empty lines are skipped.  On an error *out is
 * NULL, *line is the line at fault (counting from 1; 0 for
 * SHEET_OUT_OF_MEMORY) and nothing is left allocated. */
sheet_error sheet_read(const char *csv, size_t length, sheet **out, size_t *line);

size_t sheet_rows(const sheet *s);
size_t sheet_columns(const sheet *s);

/* The text of a cell, '\0'-terminated: valid until that cell changes, a
 * row is deleted, or the sheet is freed. */
const char *sheet_cell(const sheet *s, size_t row, size_t column);

/* Replaces a cell's text with a copy of `text`.  The old text's memory is
 * given back or reused: a cell changed a thousand times holds no more than
 * its text.  False if memory runs out, and the cell is then unchanged. */
bool sheet_set(sheet *s, size_t row, size_t column, const char *text);

/* Deletes a row; the rows after it move up one. */
void sheet_delete_row(sheet *s, size_t row);

/* Frees the sheet and all its cells; sheet_free(NULL) does nothing. */
void sheet_free(sheet *s);

#endif
