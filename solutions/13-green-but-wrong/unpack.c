/* Exercise 13: Green but wrong, a solution: the unpacker.
 *
 * Growing a buffer may move its bytes, so no pointer into them is kept
 * across a call that may grow it: a back-reference makes room for all its
 * bytes first, then copies them by their positions. */
#include "pack.h"

#include "buffer.h"

#include <stdbool.h>

/* Moves *at past `expected` if packed[*at] is that byte. */
static bool skip(const char *packed, size_t length, size_t *at, char expected) {
    if (*at >= length || packed[*at] != expected)
        return false;
    ++*at;
    return true;
}

/* Reads the decimal number at packed[*at] into *number and moves *at past
 * it; false if there is no digit there, or the number is 0 or over
 * PACK_MAX_NUMBER. */
static bool read_number(const char *packed, size_t length, size_t *at, size_t *number) {
    size_t value = 0, i = *at;
    for (; i < length && packed[i] >= '0' && packed[i] <= '9'; i++) {
        value = value * 10 + (size_t)(packed[i] - '0');
        if (value > PACK_MAX_NUMBER)
            return false;
    }
    if (i == *at || value == 0)
        return false;
    *at = i;
    *number = value;
    return true;
}

/* Reads the "D,L;" of a back-reference at packed[*at]. */
static bool read_reference(const char *packed, size_t length, size_t *at, size_t *distance,
                           size_t *count) {
    return read_number(packed, length, at, distance) && skip(packed, length, at, ',') &&
           read_number(packed, length, at, count) && skip(packed, length, at, ';');
}

/* Appends the `count` bytes that start `distance` bytes before the end of
 * `out`.  Room for all of them is made first: that may move the bytes, and
 * nothing below can, so `bytes` stays valid.  Byte by byte, each copied from
 * `distance` bytes before it: when count is more than distance the copy
 * repeats the bytes it has just written, as the format says. */
static bool copy_back(buffer *out, size_t distance, size_t count) {
    if (!buffer_reserve(out, count))
        return false;
    char *bytes = out->bytes;
    for (size_t end = out->length + count; out->length < end; out->length++)
        bytes[out->length] = bytes[out->length - distance];
    return true;
}

/* Unpacks the item (a run of bytes, "~~" or a back-reference) at
 * packed[*at] onto `out` and moves *at past it. */
static pack_error unpack_item(const char *packed, size_t length, size_t *at, buffer *out) {
    if (packed[*at] != '~') {
        size_t end = *at;
        while (end < length && packed[end] != '~')
            end++;
        bool appended = buffer_append(out, packed + *at, end - *at);
        *at = end;
        return appended ? PACK_OK : PACK_OUT_OF_MEMORY;
    }
    ++*at;
    if (skip(packed, length, at, '~'))
        return buffer_push(out, '~') ? PACK_OK : PACK_OUT_OF_MEMORY;
    size_t distance, count;
    if (!read_reference(packed, length, at, &distance, &count))
        return PACK_BAD_REFERENCE;
    if (distance > out->length)
        return PACK_FAR_REFERENCE;
    return copy_back(out, distance, count) ? PACK_OK : PACK_OUT_OF_MEMORY;
}

pack_error unpack(const char *packed, size_t packed_length, char **text, size_t *length) {
    buffer out = {NULL, 0, 0};
    pack_error error = PACK_OK;
    size_t at = 0, item = 0;
    while (error == PACK_OK && at < packed_length) {
        item = at;
        error = unpack_item(packed, packed_length, &at, &out);
    }
    if (error == PACK_OK) {
        *text = buffer_finish(&out, length);
        if (*text != NULL)
            return PACK_OK;
        error = PACK_OUT_OF_MEMORY;
    }
    buffer_free(&out);
    *text = NULL;
    *length = error == PACK_OUT_OF_MEMORY ? 0 : item;
    return error;
}
