/* hb_size: sizes as people write them, and as the harness prints them.
 *
 * Units follow the standards, so "KB" and "KiB" never mean the same thing:
 *   B
 *   kB, KB, MB, GB   = 1000, 1000^2, 1000^3 bytes (SI)
 *   KiB, MiB, GiB    = 1024, 1024^2, 1024^3 bytes (IEC)
 * Units are case-insensitive ("kib" works), the space before them is
 * optional, a number without a unit is bytes, and a fraction is allowed
 * ("1.5 MiB"); the result is rounded down to a whole byte.
 *
 * Printing always uses IEC units with one decimal: "512.0 KiB", "1.1 MiB",
 * or plain bytes below 1 KiB: "100 B". */
#ifndef HB_SIZE_H
#define HB_SIZE_H

#include <stdbool.h>
#include <stddef.h>

enum { HB_SIZE_TEXT = 24, HB_SIZE_ERROR = 160 };

/* Parses `text` into *bytes.  On failure returns false and writes a
 * sentence saying what is wrong into `error`. */
bool hb_size_parse(const char *text, size_t *bytes, char error[HB_SIZE_ERROR]);

/* Parses a count of things: a non-negative whole number, nothing else. */
bool hb_count_parse(const char *text, size_t *count, char error[HB_SIZE_ERROR]);

/* Writes `bytes` in human units into `text` and returns it. */
const char *hb_size_format(size_t bytes, char text[HB_SIZE_TEXT]);

#endif
