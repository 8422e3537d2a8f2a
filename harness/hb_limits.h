/* hb_limits: a test's memory limits and the verdict on a measured scope.
 *
 * Each limit is a string, written as in the test (see hb_size.h for units);
 * NULL means "no limit":
 *   .peak        most bytes live at once          ("100 KiB")
 *   .leaks       bytes still live when it ends    ("0 B")
 *   .allocations number of allocations            ("1000")
 * The same limits as pytest-memray's limit_memory and limit_leaks markers,
 * plus a count, since in C the number of malloc calls is a cost of its own. */
#ifndef HB_LIMITS_H
#define HB_LIMITS_H

#include "hb_failure.h"
#include "hb_scope.h"
#include "hb_text.h"

typedef struct hb_limits {
    const char *peak;
    const char *leaks;
    const char *allocations;
} hb_limits;

/* The limits as numbers; a `has_` flag is false where there is no limit. */
typedef struct hb_parsed_limits {
    bool has_peak, has_leaks, has_allocations;
    size_t peak, leaks, allocations;
} hb_parsed_limits;

/* Parses the limits before a scope runs.  Returns HB_FAILED_BAD_LIMIT, and
 * explains each bad limit in `report`, if one cannot be parsed; else 0. */
unsigned hb_limits_parse(const char *test, const hb_limits *limits, hb_parsed_limits *parsed,
                         hb_text *report);

/* Checks an ended scope against the limits.  Returns the hb_failure bits of
 * every limit exceeded (0 if none) and appends, for each, a report that
 * starts "<test>: limited to ... but ..." followed by the sites to blame. */
unsigned hb_limits_check(const char *test, const hb_parsed_limits *limits, const hb_scope *scope,
                         hb_text *report);

#endif
