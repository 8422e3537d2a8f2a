/* The starter's packer, as it was: this fix changes unpack.c only (and the
 * read past the end must show in the fix's own code). */
#include "pack.h"

#include "buffer.h"

#include <stdbool.h>
#include <stdio.h>

/* A back-reference of `longest` bytes at `distance` bytes back. */
typedef struct repeat {
    size_t distance, longest;
} repeat;

static size_t decimal_digits(size_t number) {
    size_t digits = 1;
    for (; number >= 10; number /= 10)
        digits++;
    return digits;
}

/* The bytes "~D,L;" takes. */
static size_t reference_size(repeat r) {
    return 3 + decimal_digits(r.distance) + decimal_digits(r.longest);
}

/* How many bytes from text[here] on are the same as those from
 * text[earlier] on (earlier < here), up to PACK_MAX_NUMBER; the repeat may
 * run on past `here`, as in "ab~2,5;". */
static size_t repeated_bytes(const char *text, size_t length, size_t earlier, size_t here) {
    size_t count = 0;
    while (text[here + count] == text[earlier + count] && here + count < length &&
           count < PACK_MAX_NUMBER)
        count++;
    return count;
}

/* The longest repeat of the bytes at `here` that starts at most
 * PACK_WINDOW bytes before; the nearest of equal ones. */
static repeat longest_repeat(const char *text, size_t length, size_t here) {
    repeat best = {0, 0};
    size_t farthest = here < PACK_WINDOW ? here : PACK_WINDOW;
    for (size_t distance = 1; distance <= farthest; distance++) {
        size_t count = repeated_bytes(text, length, here - distance, here);
        if (count > best.longest)
            best = (repeat){distance, count};
    }
    return best;
}

static bool append_reference(buffer *out, repeat r) {
    char reference[48];
    int size = snprintf(reference, sizeof reference, "~%zu,%zu;", r.distance, r.longest);
    return buffer_append(out, reference, (size_t)size);
}

pack_error pack(const char *text, size_t length, char **packed, size_t *packed_length) {
    buffer out = {NULL, 0, 0};
    bool appended = true;
    for (size_t here = 0; appended && here < length;) {
        repeat r = longest_repeat(text, length, here);
        if (r.longest > reference_size(r)) {
            appended = append_reference(&out, r);
            here += r.longest;
        } else {
            appended =
                text[here] == '~' ? buffer_append(&out, "~~", 2) : buffer_push(&out, text[here]);
            here++;
        }
    }
    if (appended && (*packed = buffer_finish(&out, packed_length)) != NULL)
        return PACK_OK;
    buffer_free(&out);
    *packed = NULL;
    *packed_length = 0;
    return PACK_OUT_OF_MEMORY;
}

const char *pack_error_message(pack_error error) {
    switch (error) {
    case PACK_OK:
        return "no error";
    case PACK_BAD_REFERENCE:
        return "a '~' followed by neither '~' nor a back-reference \"D,L;\" (D and L from 1 to "
               "65535)";
    case PACK_FAR_REFERENCE:
        return "a back-reference reaches back before the first byte";
    case PACK_OUT_OF_MEMORY:
        return "out of memory";
    }
    return "unknown error";
}
