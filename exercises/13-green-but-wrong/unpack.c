/* Exercise 13: Green but wrong.
 *
 * Six tests in tests/exercises/test_13_green_but_wrong.c fail on this
 * code: what it unpacks turns into 0xDD bytes, the poison the harness
 * writes over a freed block.  Run the same tests under AddressSanitizer
 * (make memcheck EX=13), and this file and pack.c each read memory they do
 * not own; pack.c's read passes every test.  Find both reads from the
 * sanitizer's reports and change the code (not the tests) until they are
 * gone.  The lesson: docs/13-green-but-wrong.md. */
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
 * `out`.  When count is more than distance the copy overlaps the bytes it
 * writes, so it goes in pieces of at most `distance` bytes: each piece is
 * all there before it is copied. */
static bool copy_back(buffer *out, size_t distance, size_t count) {
    while (count > 0) {
        size_t piece = count < distance ? count : distance;
        const char *from = out->bytes + out->length - distance;
        if (!buffer_append(out, from, piece))
            return false;
        count -= piece;
    }
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
