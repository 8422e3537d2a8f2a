#include "hb_limits.h"

#include "hb_report.h"
#include "hb_size.h"

#include <stdio.h>
#include <string.h>

typedef bool (*parse_fn)(const char *, size_t *, char *);

/* Parses one limit if it is set; false if it is set but malformed. */
static bool parse_limit(const char *test, const char *field, const char *value, parse_fn parse,
                        bool *has, size_t *limit, hb_text *report) {
    char error[HB_SIZE_ERROR];
    *has = value != NULL;
    if (value == NULL || parse(value, limit, error))
        return true;
    hb_text_printf(report, "%s: bad memory limit .%s: %s\n", test, field, error);
    return false;
}

unsigned hb_limits_parse(const char *test, const hb_limits *limits, hb_parsed_limits *parsed,
                         hb_text *report) {
    bool ok = parse_limit(test, "peak", limits->peak, hb_size_parse, &parsed->has_peak,
                          &parsed->peak, report);
    ok &= parse_limit(test, "leaks", limits->leaks, hb_size_parse, &parsed->has_leaks,
                      &parsed->leaks, report);
    ok &= parse_limit(test, "allocations", limits->allocations, hb_count_parse,
                      &parsed->has_allocations, &parsed->allocations, report);
    return ok ? 0 : HB_FAILED_BAD_LIMIT;
}

/* Starts one limit's report: the first says which test, the next ones are
 * indented under it, as CUnit prints the first after "  1. file:line  - ". */
static void headline(hb_text *report, const char *test) {
    if (report->length == 0)
        hb_text_printf(report, "%s: ", test);
    else
        hb_text_printf(report, "      %s: ", test);
}

/* "limited to 1.0 KiB but ... was 1.0 KiB" would read as no excess at all:
 * when the rounded figures look the same, both get their exact bytes. */
static void format_pair(size_t limit, size_t used, char limit_text[HB_SIZE_TEXT * 2],
                        char used_text[HB_SIZE_TEXT * 2]) {
    hb_size_format(limit, limit_text);
    hb_size_format(used, used_text);
    if (strcmp(limit_text, used_text) == 0 && limit != used) {
        snprintf(limit_text, HB_SIZE_TEXT * 2, "%zu B", limit);
        snprintf(used_text, HB_SIZE_TEXT * 2, "%zu B", used);
    }
}

unsigned hb_limits_check(const char *test, const hb_parsed_limits *limits, const hb_scope *scope,
                         hb_text *report) {
    hb_usage usage = hb_scope_usage(scope);
    char limit_text[HB_SIZE_TEXT * 2], used_text[HB_SIZE_TEXT * 2];
    unsigned failures = 0;

    if (limits->has_peak && usage.peak_bytes > limits->peak) {
        failures |= HB_FAILED_PEAK;
        format_pair(limits->peak, usage.peak_bytes, limit_text, used_text);
        headline(report, test);
        hb_text_printf(report, "limited to %s but peak heap was %s\n", limit_text, used_text);
        hb_text_printf(report, "      allocation sites at the peak, biggest first:\n");
        hb_report_sites(report, scope, HB_SITES_AT_PEAK);
    }
    if (limits->has_leaks && usage.live_bytes > limits->leaks) {
        failures |= HB_FAILED_LEAKS;
        format_pair(limits->leaks, usage.live_bytes, limit_text, used_text);
        headline(report, test);
        hb_text_printf(report, "limited to %s of leaks but %s in %llu %s never freed\n", limit_text,
                       used_text, (unsigned long long)usage.live_blocks,
                       usage.live_blocks == 1 ? "block was" : "blocks were");
        hb_text_printf(report, "      where the leaked blocks were allocated:\n");
        hb_report_sites(report, scope, HB_SITES_LIVE);
    }
    if (limits->has_allocations && usage.allocations > limits->allocations) {
        failures |= HB_FAILED_ALLOCATIONS;
        headline(report, test);
        hb_text_printf(report, "limited to %zu allocations but made %llu\n", limits->allocations,
                       (unsigned long long)usage.allocations);
        hb_text_printf(report, "      sites that allocated most often:\n");
        hb_report_sites(report, scope, HB_SITES_ALLOCATED);
    }
    return failures;
}
