/* base.h: the harness's base layer, below the core: values as text that
 * every layer above and the profiler's command line share.  It includes
 * nothing of the allocator and allocates nothing, so the profiler's command
 * line links it alone and is not rebuilt when the core changes. */
#ifndef HB_BASE_H
#define HB_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ======================================================================
 * Values as text (format.c): JSON strings, XML text, sizes, function names.
 *
 * JSON strings, for the test results and the profiler's reports and page.
 * '<', '>' and '&' are escaped too, so the same JSON is safe inside an HTML
 * <script>: a symbol such as "std::vector<int>" or a path holding
 * "</script>" cannot end the script. */

/* Writes `text` escaped, without the surrounding quotes: control
 * characters as \u00XX, and each byte that is not part of a valid UTF-8
 * sequence as \ufffd, so the file is valid JSON whatever `text` holds. */
void hb_json_escape(FILE *out, const char *text);

/* The length of the valid UTF-8 sequence `text` starts with (1 to 4, its
 * value in *code_point), or 0 if it starts with none: a stray
 * continuation byte, an overlong form, a surrogate, a sequence cut short. */
size_t hb_utf8_sequence(const char *text, uint32_t *code_point);

/* Writes `text` as a JSON string, quotes included. */
void hb_json_string(FILE *out, const char *text);

/* Writes `text` as XML text or an attribute's value (JUnit's results,
 * Google Test's list): '<', '>', '&' and '"' escaped; tab, newline and
 * carriage return as references (&#9; &#10; &#13;, which an attribute
 * keeps); the other control characters, which XML 1.0 does not allow even
 * escaped, and every byte that is not valid UTF-8 as U+FFFD. */
void hb_xml_text(FILE *out, const char *text);

/* Sizes, as people write them and as the harness prints them.
 *
 * Units follow the standards, so "KB" and "KiB" never mean the same thing:
 *   B
 *   kB, KB, MB, GB   = 1000, 1000^2, 1000^3 bytes (SI)
 *   KiB, MiB, GiB    = 1024, 1024^2, 1024^3 bytes (IEC)
 * Units are case-insensitive ("kib" works), one ASCII space before them is
 * optional, a number without a unit is bytes, and a fraction is allowed
 * ("1.5 MiB"); the result is rounded down to a whole byte.  Nothing else
 * is: no sign, no comma, no other space, nothing before or after.
 *
 * Printing always uses IEC units with one decimal: "512.0 KiB", "1.1 MiB",
 * or plain bytes below 1 KiB: "100 B". */

enum { HB_SIZE_TEXT = 24, HB_SIZE_ERROR = 384 };

/* Parses `text` into *bytes.  On failure returns false, leaves *bytes
 * alone and writes a sentence into `error`: the text (bytes outside
 * printable ASCII as \xNN), what is wrong, and the accepted forms. */
bool hb_size_parse(const char *text, size_t *bytes, char error[HB_SIZE_ERROR]);

/* Parses a count of things: ASCII digits, nothing else (no sign, no
 * space); errors as hb_size_parse's. */
bool hb_count_parse(const char *text, size_t *count, char error[HB_SIZE_ERROR]);

/* Writes `bytes` in human units into `text` and returns it. */
const char *hb_size_format(size_t bytes, char text[HB_SIZE_TEXT]);

/* Cuts the suffix GCC gives the copies of a function it specialises or
 * splits ("sum.constprop.0", "parse.isra.0", "f.part.0", "g.cold"), so
 * reports name the function in the source. */
void hb_name_without_clone_suffix(char *name);

#endif
