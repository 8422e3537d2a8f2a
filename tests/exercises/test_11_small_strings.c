/* Exercise 11: Small strings.  Correctness first, then memory. */
#define HB_SUITE_NAME "11-small-strings"
#include "heapbook.h"

#include "sample_orders.h"
#include "sheet.h"

#include <stdio.h>
#include <string.h>

static sheet *read_sheet(const char *csv) {
    sheet *s;
    size_t line;
    HB_ASSERT_EQ_FATAL(sheet_read(csv, strlen(csv), &s, &line), SHEET_OK);
    HB_ASSERT_EQ(line, 0);
    return s;
}

static void assert_row(const sheet *s, size_t row, const char *const cells[]) {
    for (size_t column = 0; column < sheet_columns(s); column++)
        HB_ASSERT_STR_EQ(sheet_cell(s, row, column), cells[column]);
}

HB_TEST(test_read_a_small_sheet) {
    sheet *s = read_sheet("name,language,year\nC,Dennis Ritchie,1972\nLua,PUC-Rio,1993\n");
    HB_ASSERT_EQ_FATAL(sheet_rows(s), 3);
    HB_ASSERT_EQ_FATAL(sheet_columns(s), 3);
    assert_row(s, 0, (const char *const[]){"name", "language", "year"});
    assert_row(s, 1, (const char *const[]){"C", "Dennis Ritchie", "1972"});
    assert_row(s, 2, (const char *const[]){"Lua", "PUC-Rio", "1993"});
    sheet_free(s);
    sheet_free(NULL);
}

HB_TEST(test_spaces_empty_cells_and_lines) {
    sheet *s = read_sheet("\n a ,b,\n\n,,\n\nlast,line,ends here");
    HB_ASSERT_EQ_FATAL(sheet_rows(s), 3);
    HB_ASSERT_EQ_FATAL(sheet_columns(s), 3);
    assert_row(s, 0, (const char *const[]){" a ", "b", ""});
    assert_row(s, 1, (const char *const[]){"", "", ""});
    assert_row(s, 2, (const char *const[]){"last", "line", "ends here"});
    sheet_free(s);
    s = read_sheet("");
    HB_ASSERT_EQ(sheet_rows(s), 0);
    sheet_free(s);
}

/* A row of cells of every length from 0 to 40 bytes ("", "a", "ab", ...),
 * and the same cells again, in reverse, in a second row. */
HB_TEST(test_cells_of_every_length) {
    static char csv[2 * 41 * 42], cells[41][41];
    size_t used = 0;
    for (int row = 0; row < 2; row++)
        for (int i = 0; i <= 40; i++) {
            int length = row == 0 ? i : 40 - i;
            for (int k = 0; k < length; k++)
                cells[length][k] = (char)('a' + k % 26);
            cells[length][length] = '\0';
            used += (size_t)snprintf(csv + used, sizeof csv - used, "%s%c", cells[length],
                                     i == 40 ? '\n' : ',');
        }
    sheet *s = read_sheet(csv);
    HB_ASSERT_EQ_FATAL(sheet_rows(s), 2);
    HB_ASSERT_EQ_FATAL(sheet_columns(s), 41);
    for (size_t i = 0; i <= 40; i++) {
        HB_ASSERT_STR_EQ(sheet_cell(s, 0, i), cells[i]);
        HB_ASSERT_STR_EQ(sheet_cell(s, 1, i), cells[40 - i]);
    }
    sheet_free(s);
}

HB_TEST(test_ragged_rows_are_refused) {
    static const struct {
        const char *csv;
        size_t line;
    } cases[] = {{"a,b\n1\n", 2}, {"a\n\n1,2\n", 3}, {"a,b,c\n1,2,3\n4,5,6,7\n8,9,0\n", 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sheet *s = (sheet *)cases; /* not NULL: sheet_read must set it */
        size_t line;
        HB_ASSERT_EQ(sheet_read(cases[i].csv, strlen(cases[i].csv), &s, &line), SHEET_RAGGED_ROW);
        HB_ASSERT_NULL(s);
        HB_ASSERT_EQ(line, cases[i].line);
    }
}

/* Only `length` bytes are the CSV. */
HB_TEST(test_nothing_read_past_the_length) {
    sheet *s;
    size_t line;
    HB_ASSERT_EQ_FATAL(sheet_read("a,b\nc,d\ne,f", 6, &s, &line), SHEET_OK);
    HB_ASSERT_EQ_FATAL(sheet_rows(s), 2);
    assert_row(s, 1, (const char *const[]){"c", ""});
    sheet_free(s);
}

/* Short to long to short to empty, and the cells around unchanged. */
HB_TEST(test_set_cells) {
    static const char *const texts[] = {"x",
                                        "a text well over fifteen bytes long",
                                        "short",
                                        "",
                                        "exactly 15 byte",
                                        "exactly 16 bytes",
                                        "and longer again: forty bytes of text."};
    sheet *s = read_sheet("a,b,c\nd,e,f\n");
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        HB_ASSERT_EQ_FATAL(sheet_set(s, 1, 1, texts[i]), true);
        HB_ASSERT_STR_EQ(sheet_cell(s, 1, 1), texts[i]);
        assert_row(s, 0, (const char *const[]){"a", "b", "c"});
        HB_ASSERT_STR_EQ(sheet_cell(s, 1, 0), "d");
        HB_ASSERT_STR_EQ(sheet_cell(s, 1, 2), "f");
    }
    sheet_free(s);
}

/* Rows of long and short cells move up past a deleted one. */
HB_TEST(test_delete_rows) {
    sheet *s = read_sheet("id,name\n1,Ada Lovelace\n2,Margaret Hamilton\n3,Ken Thompson\n"
                          "4,John von Neumann\n");
    sheet_delete_row(s, 1);
    HB_ASSERT_EQ_FATAL(sheet_rows(s), 4);
    assert_row(s, 1, (const char *const[]){"2", "Margaret Hamilton"});
    assert_row(s, 3, (const char *const[]){"4", "John von Neumann"});
    sheet_delete_row(s, 3);
    sheet_delete_row(s, 0);
    HB_ASSERT_EQ_FATAL(sheet_rows(s), 2);
    assert_row(s, 0, (const char *const[]){"2", "Margaret Hamilton"});
    assert_row(s, 1, (const char *const[]){"3", "Ken Thompson"});
    HB_ASSERT_EQ(sheet_set(s, 0, 1, "Grace Hopper"), true);
    assert_row(s, 0, (const char *const[]){"2", "Grace Hopper"});
    sheet_free(s);
}

/* ---- Out of memory ------------------------------------------------------ */

static const char short_and_long[] = "id,name,note\n"
                                     "1,Ada Lovelace,\n"
                                     "2,Margaret Hamilton,leave at the door\n"
                                     "3,Ken Thompson,express\n";

static void read_while_memory_runs_out(void) {
    sheet *s;
    size_t line;
    sheet_error error = sheet_read(short_and_long, sizeof short_and_long - 1, &s, &line);
    if (error == SHEET_OK) {
        HB_ASSERT_EQ(sheet_rows(s), 4);
        HB_ASSERT_STR_EQ(sheet_cell(s, 2, 2), "leave at the door");
        sheet_free(s);
    } else {
        HB_ASSERT_EQ(error, SHEET_OUT_OF_MEMORY);
        HB_ASSERT_NULL(s);
        HB_ASSERT_EQ(line, 0);
    }
}

HB_TEST(test_read_copes_when_memory_runs_out) {
    hb_fail_each_allocation(read_while_memory_runs_out);
}

/* Reads a sheet and changes a cell again and again, with each allocation
 * made to fail in turn: a cell whose change failed keeps its text. */
static void set_while_memory_runs_out(void) {
    static const char *const texts[] = {"a long text for a short cell", "short", "",
                                        "another text over fifteen bytes", "tiny"};
    sheet *s;
    size_t line;
    if (sheet_read(short_and_long, sizeof short_and_long - 1, &s, &line) != SHEET_OK)
        return;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char kept[64];
        snprintf(kept, sizeof kept, "%s", sheet_cell(s, 2, 2));
        if (sheet_set(s, 2, 2, texts[i]))
            HB_ASSERT_STR_EQ(sheet_cell(s, 2, 2), texts[i]);
        else
            HB_ASSERT_STR_EQ(sheet_cell(s, 2, 2), kept);
        HB_ASSERT_STR_EQ(sheet_cell(s, 2, 1), "Margaret Hamilton");
    }
    sheet_free(s);
}

HB_TEST(test_set_copes_when_memory_runs_out) { hb_fail_each_allocation(set_while_memory_runs_out); }

/* ---- Memory ------------------------------------------------------------- */

/* The cell at (row, column) of a CSV text, found here by scanning it (no
 * empty lines, no heap), into `cell`. */
static const char *csv_cell(const char *csv, size_t row, size_t column, char cell[128]) {
    for (; row > 0; row--)
        csv = strchr(csv, '\n') + 1;
    for (; column > 0; column--)
        csv = strpbrk(csv, ",") + 1;
    size_t length = strcspn(csv, ",\n");
    snprintf(cell, 128, "%.*s", (int)length, csv);
    return cell;
}

static char orders_csv[2401 * SAMPLE_ORDERS_LONGEST_LINE];

/* Reads `orders` sample orders of the seed, and checks `checks` cells
 * picked by `pick` against the CSV text. */
static void read_orders(size_t orders, uint64_t seed, size_t checks,
                        size_t (*pick)(size_t below, size_t *state)) {
    size_t length = sample_orders(orders_csv, sizeof orders_csv, orders, seed);
    HB_ASSERT_NOT_NULL_FATAL(length > 0 ? orders_csv : NULL);
    sheet *s;
    size_t line, state = 0;
    HB_ASSERT_EQ_FATAL(sheet_read(orders_csv, length, &s, &line), SHEET_OK);
    HB_ASSERT_EQ_FATAL(sheet_rows(s), orders + 1);
    HB_ASSERT_EQ_FATAL(sheet_columns(s), 6);
    for (size_t i = 0; i < checks; i++) {
        size_t row = pick(orders + 1, &state), column = pick(6, &state);
        char expected[128];
        HB_ASSERT_STR_EQ(sheet_cell(s, row, column), csv_cell(orders_csv, row, column, expected));
    }
    sheet_free(s);
}

/* Every row's cells in turn, a row at a stride of 97. */
static size_t walk(size_t below, size_t *state) { return (*state += 97) % below; }

/* 2000 orders: 12,006 cells, most of them shorter than the pointer and
 * the capacity a cell keeps for its text. */
HB_MEMORY_TEST(test_orders_memory, .allocations = "1500", .peak = "576 KiB", .leaks = "0 B") {
    read_orders(2000, 11, 200, walk);
}

static size_t random_pick(size_t below, size_t *state) {
    (void)state;
    return (size_t)hb_random_named("cell", 0, below - 1);
}

/* From 1400 to 2400 orders of a seed drawn on every run: from 8,406 to
 * 14,406 cells. */
HB_MEMORY_TEST(test_random_orders_memory, .allocations = "1500", .peak = "576 KiB",
               .leaks = "0 B") {
    size_t orders = hb_random_named("orders", 1400, 2400);
    read_orders(orders, hb_random_named("seed", 1, 1000000), 300, random_pick);
}

/* 500 orders whose notes are changed twenty times each, long and short
 * in turn: a cell holds its latest text, not every text it ever held. */
HB_MEMORY_TEST(test_edits_memory, .peak = "192 KiB", .leaks = "0 B") {
    static const char *const notes[] = {"", "express", "leave it with the neighbour at number 12",
                                        "call first", "deliver after six in the evening"};
    size_t length = sample_orders(orders_csv, sizeof orders_csv, 500, 11), line;
    sheet *s;
    HB_ASSERT_EQ_FATAL(sheet_read(orders_csv, length, &s, &line), SHEET_OK);
    for (size_t round = 0; round < 20; round++)
        for (size_t row = 1; row <= 500; row++)
            HB_ASSERT_EQ_FATAL(sheet_set(s, row, 5, notes[(row + round) % 5]), true);
    HB_ASSERT_STR_EQ(sheet_cell(s, 1, 5), notes[0]);
    HB_ASSERT_STR_EQ(sheet_cell(s, 500, 5), notes[4]);
    sheet_free(s);
}
