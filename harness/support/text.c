/* text.c: the growing text of reports (support.h: Text). */
#include "support.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void hb_text_printf(hb_text *text, const char *format, ...) {
    va_list args;
    va_start(args, format);
    va_list again;
    va_copy(again, args);
    int needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
    hb_guard_enter();
    if (needed > 0 && text->length + (size_t)needed + 1 > text->capacity) {
        size_t capacity = text->capacity ? text->capacity : 256;
        while (capacity < text->length + (size_t)needed + 1)
            capacity *= 2;
        char *grown = realloc(text->data, capacity);
        if (grown != NULL) {
            text->data = grown;
            text->capacity = capacity;
        }
    }
    if (needed > 0 && text->length + (size_t)needed + 1 <= text->capacity) {
        vsnprintf(text->data + text->length, (size_t)needed + 1, format, again);
        text->length += (size_t)needed;
    }
    hb_guard_leave();
    va_end(again);
}

const char *hb_text_get(const hb_text *text) { return text->data ? text->data : ""; }

void hb_text_free(hb_text *text) {
    hb_guard_enter();
    free(text->data);
    hb_guard_leave();
    *text = (hb_text){0};
}
