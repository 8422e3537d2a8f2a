/* Exercise 11: Small strings.  The cells of a sheet: one array of texts,
 * which sheet.c reads rows into.  Its functions are the contract sheet.c
 * relies on; how a cell keeps its text is cells.c's own business. */
#ifndef CELLS_H
#define CELLS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cell_array cell_array;

/* A new array of no cells, or NULL if memory runs out. */
cell_array *cell_array_new(void);

/* Frees the array and every cell's text; NULL does nothing. */
void cell_array_free(cell_array *cells);

size_t cell_array_count(const cell_array *cells);

/* Appends a cell holding a copy of text[0 .. length); false if memory runs
 * out, and the array is then unchanged. */
bool cell_array_push(cell_array *cells, const char *text, size_t length);

/* Cell i's text, '\0'-terminated: valid until that cell is set, a cell
 * before it is removed, a cell is pushed, or the array is freed. */
const char *cell_array_text(const cell_array *cells, size_t i);

/* Makes cell i hold a copy of text[0 .. length).  The old text's memory is
 * given back or reused.  False if memory runs out, and the cell is then
 * unchanged. */
bool cell_array_set(cell_array *cells, size_t i, const char *text, size_t length);

/* Removes `count` cells from `first` on; the cells after them move down. */
void cell_array_remove(cell_array *cells, size_t first, size_t count);

#endif
