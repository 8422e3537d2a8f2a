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

static bool add_pages(text *out, const tally *t) {
    const tally_entry *top[REPORT_TOP_PAGES];
    size_t shown = tally_top(&t->pages, BY_REQUESTS, REPORT_TOP_PAGES, top);
    if (!text_printf(out, "\nTop %zu of %zu pages, by requests:\n", shown, t->pages.count) ||
        !text_printf(out, "  requests  errors  avg ms  max ms  page\n"))
        return false;
    for (size_t i = 0; i < shown; i++)
        if (!text_printf(out, "  %8lu  %6lu  %6lu  %6lu  %s\n", top[i]->requests, top[i]->errors,
                         top[i]->total_ms / top[i]->requests, top[i]->max_ms, top[i]->key))
            return false;
    return true;
}

static bool add_clients(text *out, const tally *t) {
    const tally_entry *top[REPORT_TOP_CLIENTS];
    size_t shown = tally_top(&t->clients, BY_BYTES, REPORT_TOP_CLIENTS, top);
    if (!text_printf(out, "\nTop %zu of %zu clients, by bytes sent:\n", shown, t->clients.count) ||
        !text_printf(out, "  requests         bytes  client\n"))
        return false;
    for (size_t i = 0; i < shown; i++)
        if (!text_printf(out, "  %8lu  %12lu  %s\n", top[i]->requests, top[i]->bytes, top[i]->key))
            return false;
    return true;
}

static bool add_sites(text *out, const tally *t) {
    const tally_entry *top[REPORT_TOP_SITES];
    size_t shown = tally_top(&t->sites, BY_REQUESTS, REPORT_TOP_SITES, top);
    if (!text_printf(out, "\nTop %zu of %zu referring sites, by requests:\n", shown,
                     t->sites.count) ||
        !text_printf(out, "  requests  site\n"))
        return false;
    for (size_t i = 0; i < shown; i++)
        if (!text_printf(out, "  %8lu  %s\n", top[i]->requests, top[i]->key))
            return false;
    return true;
}

int report_write(const tally *t, const char *name, const report_sink *sink) {
    text out = {0};
    bool made = add_totals(&out, t, name) &&
                (t->requests == 0 || (add_when(&out, t) && add_pages(&out, t) &&
                                      add_clients(&out, t) && add_sites(&out, t)));
    int error = !made ? ENOMEM : sink->write(sink->context, out.bytes, out.length) ? 0 : EIO;
    text_free(&out);
    return error;
}
