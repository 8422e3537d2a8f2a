/* Exercise 14: the report, written from the tally (report.h).  The report
 * is made whole in a text, then handed to the sink at once: a report cut
 * short by a lack of memory is never written. */
#include "report.h"

#include <errno.h>

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

/* One row of a section's table, for one entry. */
typedef bool (*row_writer)(text *out, const tally_entry *entry);

static bool page_row(text *out, const tally_entry *page) {
    return text_printf(out, "  %8lu  %6lu  %6lu  %6lu  %s\n", page->requests, page->errors,
                       page->total_ms / page->requests, page->max_ms, page->key);
}

static bool client_row(text *out, const tally_entry *client) {
    return text_printf(out, "  %8lu  %12lu  %s\n", client->requests, client->bytes, client->key);
}

static bool site_row(text *out, const tally_entry *site) {
    return text_printf(out, "  %8lu  %s\n", site->requests, site->key);
}

/* The pages' section is the longest: add_section() has room for it. */
_Static_assert(REPORT_TOP_CLIENTS <= REPORT_TOP_PAGES && REPORT_TOP_SITES <= REPORT_TOP_PAGES,
               "a section lists more entries than add_section() has room for");

/* A section: "Top 10 of 131 pages, by requests:", the columns' names, and
 * a row for each of the `n` entries of `table` that come first in `order`. */
static bool add_section(text *out, const tally_table *table, tally_order order, size_t n,
                        const char *what, const char *columns, row_writer row) {
    const tally_entry *top[REPORT_TOP_PAGES];
    size_t shown = tally_top(table, order, n, top);
    if (!text_printf(out, "\nTop %zu of %zu %s:\n  %s\n", shown, table->count, what, columns))
        return false;
    for (size_t i = 0; i < shown; i++)
        if (!row(out, top[i]))
            return false;
    return true;
}

int report_write(const tally *t, const char *name, const report_sink *sink) {
    text out = {0};
    bool made =
        add_totals(&out, t, name) &&
        (t->requests == 0 ||
         (add_when(&out, t) &&
          add_section(&out, &t->pages, BY_REQUESTS, REPORT_TOP_PAGES, "pages, by requests",
                      "requests  errors  avg ms  max ms  page", page_row) &&
          add_section(&out, &t->clients, BY_BYTES, REPORT_TOP_CLIENTS, "clients, by bytes sent",
                      "requests         bytes  client", client_row) &&
          add_section(&out, &t->sites, BY_REQUESTS, REPORT_TOP_SITES,
                      "referring sites, by requests", "requests  site", site_row)));
    int error = !made ? ENOMEM : sink->write(sink->context, out.bytes, out.length) ? 0 : EIO;
    text_free(&out);
    return error;
}
