/* hb_text: a growing string for reports.  Its memory is the harness's own:
 * every allocation is made under hb_guard, so it never counts. */
#ifndef HB_TEXT_H
#define HB_TEXT_H

#include <stddef.h>

typedef struct hb_text {
    char *data; /* NUL-terminated; NULL until something is appended */
    size_t length;
    size_t capacity;
} hb_text;

void hb_text_printf(hb_text *text, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* The text so far, "" if empty. */
const char *hb_text_get(const hb_text *text);

void hb_text_free(hb_text *text);

#endif
