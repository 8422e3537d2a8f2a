/* Exercise 11 as a program, to run under a debugger or heapbook:
 *
 *     build/exercises/11-small-strings/program [ORDERS]
 *
 * reads ORDERS sample orders (default 2000, the memory test's) as a sheet
 * and says, column by column, how long its cells are: how many would fit
 * in 15 bytes, and how long the longest is.
 */
#include "sample_orders.h"
#include "sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MOST_ORDERS = 5000, SHORT_TEXT = 15 };

static char csv[(MOST_ORDERS + 1) * SAMPLE_ORDERS_LONGEST_LINE];

int main(int argc, char **argv) {
    char *end = NULL;
    long orders = argc == 2 ? strtol(argv[1], &end, 10) : 2000;
    if (argc > 2 || (end != NULL && (*end != '\0' || end == argv[1])) || orders < 0 ||
        orders > MOST_ORDERS) {
        fprintf(stderr, "usage: %s [ORDERS]   (ORDERS from 0 to %d)\n", argv[0], MOST_ORDERS);
        return 2;
    }
    size_t length = sample_orders(csv, sizeof csv, (size_t)orders, 11);
    sheet *s;
    size_t line;
    sheet_error error = sheet_read(csv, length, &s, &line);
    if (error != SHEET_OK) {
        fprintf(stderr, "orders: %s\n",
                error == SHEET_OUT_OF_MEMORY ? "out of memory" : "a row of the wrong length");
        return 1;
    }
    printf("%zu rows of %zu cells\n", sheet_rows(s), sheet_columns(s));
    printf("%-10s %17s %14s %9s\n", "column", "cells of 0-15 B", "longer cells", "longest");
    for (size_t column = 0; column < sheet_columns(s); column++) {
        size_t short_cells = 0, longest = 0;
        for (size_t row = 1; row < sheet_rows(s); row++) {
            size_t cell_length = strlen(sheet_cell(s, row, column));
            short_cells += cell_length <= SHORT_TEXT;
            longest = cell_length > longest ? cell_length : longest;
        }
        printf("%-10s %17zu %14zu %7zu B\n", sheet_cell(s, 0, column), short_cells,
               sheet_rows(s) - 1 - short_cells, longest);
    }
    sheet_free(s);
    return 0;
}
