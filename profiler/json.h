/* json: strings written for JSON that is also safe inside an HTML <script>:
 * '<', '>' and '&' are escaped too, so a symbol such as
 * "std::vector<int>" or a path holding "</script>" cannot end the script. */
#ifndef HEAPBOOK_JSON_H
#define HEAPBOOK_JSON_H

#include <stdio.h>

void json_string(FILE *out, const char *text);

#endif
