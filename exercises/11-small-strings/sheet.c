/* Exercise 11: Small strings: the sheet, rows of cells read from CSV, kept
 * in a cell_array (cells.c).  The exercise is in cells.c: you should not
 * need to change this file. */
#include "sheet.h"

#include "cells.h"

#include <stdlib.h>
#include <string.h>

struct sheet {
    cell_array *cells; /* row after row */
    size_t rows, columns;
};

/* Reads the line [begin, end) as a row of cells; false if memory runs out
 * or, when `columns` is not 0, the row has not that many cells: *ragged
 * then says which. */
static bool read_row(cell_array *cells, const char *begin, const char *end, size_t columns,
                     bool *ragged) {
    size_t first = cell_array_count(cells);
    for (const char *cell_begin = begin;; cell_begin++) {
        const char *cell_end = memchr(cell_begin, ',', (size_t)(end - cell_begin));
        if (cell_end == NULL)
            cell_end = end;
        if (!cell_array_push(cells, cell_begin, (size_t)(cell_end - cell_begin)))
            return false;
        if (cell_end == end)
            break;
        cell_begin = cell_end;
    }
    *ragged = columns != 0 && cell_array_count(cells) - first != columns;
    return !*ragged;
}

sheet_error sheet_read(const char *csv, size_t length, sheet **out, size_t *line) {
    *out = NULL;
    *line = 0;
    sheet *s = malloc(sizeof *s);
    if (s == NULL)
        return SHEET_OUT_OF_MEMORY;
    *s = (sheet){cell_array_new(), 0, 0};
    if (s->cells == NULL) {
        free(s);
        return SHEET_OUT_OF_MEMORY;
    }
    size_t number = 0;
    bool ragged = false;
    for (const char *begin = csv, *end = csv + length; begin < end;) {
        const char *line_end = memchr(begin, '\n', (size_t)(end - begin));
        if (line_end == NULL)
            line_end = end;
        number++;
        if (line_end > begin) {
            if (!read_row(s->cells, begin, line_end, s->columns, &ragged)) {
                sheet_free(s);
                *line = ragged ? number : 0;
                return ragged ? SHEET_RAGGED_ROW : SHEET_OUT_OF_MEMORY;
            }
            if (s->columns == 0)
                s->columns = cell_array_count(s->cells);
            s->rows++;
        }
        begin = line_end + 1;
    }
    *out = s;
    return SHEET_OK;
}

size_t sheet_rows(const sheet *s) { return s->rows; }
size_t sheet_columns(const sheet *s) { return s->columns; }

const char *sheet_cell(const sheet *s, size_t row, size_t column) {
    return cell_array_text(s->cells, row * s->columns + column);
}

bool sheet_set(sheet *s, size_t row, size_t column, const char *text) {
    return cell_array_set(s->cells, row * s->columns + column, text, strlen(text));
}

void sheet_delete_row(sheet *s, size_t row) {
    cell_array_remove(s->cells, row * s->columns, s->columns);
    s->rows--;
}

void sheet_free(sheet *s) {
    if (s == NULL)
        return;
    cell_array_free(s->cells);
    free(s);
}
