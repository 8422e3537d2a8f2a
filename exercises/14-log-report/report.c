/* Exercise 14: the report, written from the tally (report.h).  The report
 * is made whole in a text, then handed to the sink at once: a report cut
 * short by a lack of memory is never written. */
#include "report.h"

#include <errno.h>
#include <stdlib.h>

/* `part` as a percentage of `whole` (0 of nothing). */
static double percent(unsigned long long part, unsigned long long whole) {
    return whole == 0 ? 0.0 : 100.0 * (double)part / (double)whole;
}

/* 48211003 as "48,211,003". */
static bool add_grouped(text *out, unsigned long long number) {
    if (number < 1000)
        return text_printf(out, "%llu", number);
    return add_grouped(out, number / 1000) && text_printf(out, ",%03llu", number % 1000);
}

static bool add_totals(text *out, const tally *t, const char *name) {
    static const char *const classes[] = {"2xx", "3xx", "4xx", "5xx"};
    if (!text_printf(out, "Access log: %s\n", name) ||
        !text_printf(out, "Requests: %lu (%lu lines not understood, skipped)\n", t->requests,
                     t->skipped))
        return false;
    if (t->requests == 0)
        return true;
    if (!text_printf(out, "From %s to %s\nStatus:", t->first_time, t->last_time))
        return false;
    for (int i = 0; i < 4; i++)
        if (!text_printf(out, "%s %s %lu (%.1f%%)", i == 0 ? "" : ",", classes[i],
                         t->statuses[i + 2], percent(t->statuses[i + 2], t->requests)))
            return false;
    return text_printf(out, "\nSent: ") && add_grouped(out, t->bytes) &&
           text_printf(out, " bytes\n");
}

static bool add_when(text *out, const tally *t) {
    int busiest = 0;
    for (int hour = 1; hour < 24; hour++)
        if (t->hours[hour] > t->hours[busiest])
            busiest = hour;
    if (!text_printf(out, "Busiest hour: %02d:00-%02d:00, %lu requests\n", busiest,
                     (busiest + 1) % 24, t->hours[busiest]) ||
        !text_printf(out, "Slowest: %lu.%03lu s, %s\nBrowsers:", t->slowest_ms / 1000,
                     t->slowest_ms % 1000, t->slowest.bytes))
        return false;
    for (browser b = 0; b < BROWSER_COUNT; b++)
        if (!text_printf(out, "%s %s %.1f%%", b == 0 ? "" : ",", browser_name(b),
                         percent(t->browsers[b], t->requests)))
            return false;
    return text_printf(out, "\n");
}

/* A section is laid out before it is written: every entry of its table,
 * ranked, and a column of cells for each of the figures it shows, each
 * figure as text, so that a column can be as wide as its widest figure,
 * whatever the log. */
typedef struct column {
    char **cells; /* the figure of each ranked entry, right-aligned */
    int width;    /* of its widest cell, its name's at least */
} column;

typedef unsigned long (*figure_of)(const tally_entry *entry);

static unsigned long requests_of(const tally_entry *e) { return e->requests; }
static unsigned long errors_of(const tally_entry *e) { return e->errors; }
static unsigned long average_ms_of(const tally_entry *e) { return e->total_ms / e->requests; }
static unsigned long max_ms_of(const tally_entry *e) { return e->max_ms; }
static unsigned long bytes_of(const tally_entry *e) { return e->bytes; }

/* Every entry of `table`, first first, into *ranked; how many, or 0 with
 * *ranked NULL if memory runs out. */
static size_t rank(const tally_table *table, tally_order order, const tally_entry ***ranked) {
    *ranked = calloc(table->count + 1, sizeof **ranked);
    return *ranked == NULL ? 0 : tally_top(table, order, table->count, *ranked);
}

/* The column of `figure` for the `rows` ranked entries, `width` wide at
 * least; false if memory runs out (the column can still be freed). */
static bool lay_out(column *c, const tally_entry *const *ranked, size_t rows, figure_of figure,
                    int width) {
    *c = (column){.cells = calloc(rows + 1, sizeof *c->cells), .width = width};
    if (c->cells == NULL)
        return false;
    for (size_t r = 0; r < rows; r++) {
        text cell = {0};
        if (!text_printf(&cell, "%*lu", width, figure(ranked[r])))
            return false;
        c->cells[r] = cell.bytes;
        if ((int)cell.length > c->width)
            c->width = (int)cell.length;
    }
    return true;
}

static void column_free(column *c, size_t rows) {
    if (c->cells != NULL)
        for (size_t r = 0; r < rows; r++)
            free(c->cells[r]);
    free(c->cells);
    *c = (column){0};
}

/* A section: "Top 10 of 131 pages, by requests:", the columns' names, and
 * the first `n` of the `rows` ranked entries, a cell of each column and
 * the entry's key. */
static bool add_section(text *out, const tally_entry *const *ranked, size_t rows,
                        const column *columns, size_t column_count, size_t n, const char *what,
                        const char *names) {
    size_t shown = n < rows ? n : rows;
    if (!text_printf(out, "\nTop %zu of %zu %s:\n  %s\n", shown, rows, what, names))
        return false;
    for (size_t r = 0; r < shown; r++) {
        for (size_t c = 0; c < column_count; c++)
            if (!text_printf(out, "  %*s", columns[c].width, columns[c].cells[r]))
                return false;
        if (!text_printf(out, "  %s\n", ranked[r]->key))
            return false;
    }
    return true;
}

/* The three sections, laid out, then written. */
static bool add_sections(text *out, const tally *t) {
    const tally_entry **pages, **clients, **sites;
    size_t page_rows = rank(&t->pages, BY_REQUESTS, &pages);
    size_t client_rows = rank(&t->clients, BY_BYTES, &clients);
    size_t site_rows = rank(&t->sites, BY_REQUESTS, &sites);
    column page_columns[4] = {0}, client_columns[2] = {0}, site_columns[1] = {0};
    bool made = pages != NULL && clients != NULL && sites != NULL &&
                lay_out(&page_columns[0], pages, page_rows, requests_of, 8) &&
                lay_out(&page_columns[1], pages, page_rows, errors_of, 6) &&
                lay_out(&page_columns[2], pages, page_rows, average_ms_of, 6) &&
                lay_out(&page_columns[3], pages, page_rows, max_ms_of, 6) &&
                lay_out(&client_columns[0], clients, client_rows, requests_of, 8) &&
                lay_out(&client_columns[1], clients, client_rows, bytes_of, 12) &&
                lay_out(&site_columns[0], sites, site_rows, requests_of, 8) &&
                add_section(out, pages, page_rows, page_columns, 4, REPORT_TOP_PAGES,
                            "pages, by requests", "requests  errors  avg ms  max ms  page") &&
                add_section(out, clients, client_rows, client_columns, 2, REPORT_TOP_CLIENTS,
                            "clients, by bytes sent", "requests         bytes  client") &&
                add_section(out, sites, site_rows, site_columns, 1, REPORT_TOP_SITES,
                            "referring sites, by requests", "requests  site");
    for (size_t c = 0; c < 4; c++)
        column_free(&page_columns[c], page_rows);
    for (size_t c = 0; c < 2; c++)
        column_free(&client_columns[c], client_rows);
    column_free(&site_columns[0], site_rows);
    free(pages);
    free(clients);
    free(sites);
    return made;
}

int report_write(const tally *t, const char *name, const report_sink *sink) {
    text out = {0};
    bool made = add_totals(&out, t, name) &&
                (t->requests == 0 || (add_when(&out, t) && add_sections(&out, t)));
    int error = !made ? ENOMEM : sink->write(sink->context, out.bytes, out.length) ? 0 : EIO;
    text_free(&out);
    return error;
}
