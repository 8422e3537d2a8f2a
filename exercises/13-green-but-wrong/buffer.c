/* Exercise 13: a growing byte buffer.  It works; the exercise is in how
 * pack.c and unpack.c use it. */
#include "buffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Room for a line or two of text; more doubles it. */
enum { FIRST_CAPACITY = 64 };

bool buffer_reserve(buffer *b, size_t more) {
    if (more > SIZE_MAX / 2 - b->length)
        return false;
    size_t needed = b->length + more, capacity = b->capacity;
    if (needed <= capacity)
        return true;
    if (capacity == 0)
        capacity = FIRST_CAPACITY;
    while (capacity < needed)
        capacity *= 2;
    char *grown = realloc(b->bytes, capacity);
    if (grown == NULL)
        return false;
    b->bytes = grown;
    b->capacity = capacity;
    return true;
}

bool buffer_append(buffer *b, const char *bytes, size_t count) {
    if (!buffer_reserve(b, count))
        return false;
    memcpy(b->bytes + b->length, bytes, count);
    b->length += count;
    return true;
}

bool buffer_push(buffer *b, char byte) { return buffer_append(b, &byte, 1); }

char *buffer_finish(buffer *b, size_t *length) {
    if (!buffer_push(b, '\0')) {
        buffer_free(b);
        return NULL;
    }
    char *bytes = b->bytes;
    *length = b->length - 1;
    *b = (buffer){NULL, 0, 0};
    return bytes;
}

void buffer_free(buffer *b) {
    free(b->bytes);
    *b = (buffer){NULL, 0, 0};
}
