/* hb_json: strings written into JSON, for the test results (hb_export.c)
 * and the profiler's reports and page.  '<', '>' and '&' are escaped too,
 * so the same JSON is safe inside an HTML <script>: a symbol such as
 * "std::vector<int>" or a path holding "</script>" cannot end the script. */
#ifndef HB_JSON_H
#define HB_JSON_H

#include <stdio.h>

/* Writes `text` escaped, without the surrounding quotes. */
void hb_json_escape(FILE *out, const char *text);

/* Writes `text` as a JSON string, quotes included. */
void hb_json_string(FILE *out, const char *text);

#endif
