/* Exercise 14: text, the log report's one helper for strings (text.h). */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool text_reserve(text *t, size_t more) {
    if (more > (size_t)-1 / 4 - t->length)
        return false; /* no capacity could hold it */
    size_t needed = t->length + more + 1;
    if (needed <= t->capacity)
        return true;
    size_t capacity = needed; /* exactly what is asked: no rounding up */
    char *bytes = realloc(t->bytes, capacity);
    if (bytes == NULL)
        return false;
    t->bytes = bytes;
    t->capacity = capacity;
    return true;
}

bool text_append(text *t, const char *bytes, size_t length) {
    if (!text_reserve(t, length))
        return false;
    memcpy(t->bytes + t->length, bytes, length);
    t->length += length;
    t->bytes[t->length] = '\0';
    return true;
}

bool text_printf(text *t, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    int length = vsnprintf(NULL, 0, format, arguments);
    va_end(arguments);
    if (length < 0 || !text_reserve(t, (size_t)length))
        return false;
    va_start(arguments, format);
    vsnprintf(t->bytes + t->length, (size_t)length + 1, format, arguments);
    va_end(arguments);
    t->length += (size_t)length;
    return true;
}

void text_clear(text *t) {
    t->length = 0;
    if (t->bytes != NULL)
        t->bytes[0] = '\0';
}

void text_free(text *t) {
    free(t->bytes);
    *t = (text){0};
}

char *text_copy(const char *bytes, size_t length) {
    text copy = {0};
    if (!text_append(&copy, bytes, length))
        return NULL;
    return copy.bytes;
}
