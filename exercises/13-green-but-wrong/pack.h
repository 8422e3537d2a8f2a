/* Exercise 13: Green but wrong.  The contract the tests check; do not
 * change it.
 *
 * The pack format squeezes repeated text.  A packed text is read left to
 * right:
 *   - any byte but '~' stands for itself;
 *   - "~~" stands for one '~';
 *   - "~D,L;" (D and L decimal, from 1 to PACK_MAX_NUMBER) is a
 *     back-reference: it stands for the L bytes that start D bytes before
 *     the end of what has been unpacked so far.  L may be more than D: the
 *     copy then repeats itself, as in "ab~2,5;", which unpacks to
 *     "abababa" (each byte copied is the one D bytes before it).
 * So "one two ~4,4;three" unpacks to "one two two three". */
#ifndef PACK_H
#define PACK_H

#include <stddef.h>

/* The largest D or L a back-reference may have. */
enum { PACK_MAX_NUMBER = 65535 };

typedef enum pack_error {
    PACK_OK = 0,
    PACK_BAD_REFERENCE, /* a '~' not followed by '~' or by a well-formed D,L; */
    PACK_FAR_REFERENCE, /* D reaches back before the first byte */
    PACK_OUT_OF_MEMORY,
} pack_error;

/* Packs text[0 .. length) (any bytes; no '\0' needed after them) into a new
 * string in *packed, '\0'-terminated, its length in *packed_length: the
 * caller frees it.  Back-references reach at most PACK_WINDOW bytes back,
 * and are used only where they are shorter than the bytes they replace.
 * On PACK_OUT_OF_MEMORY, *packed is NULL and nothing is left allocated. */
enum { PACK_WINDOW = 1024 };
pack_error pack(const char *text, size_t length, char **packed, size_t *packed_length);

/* Unpacks packed[0 .. packed_length) (no '\0' needed after them) into a
 * new string in *text, '\0'-terminated, its length in *length: the caller
 * frees it.  On an error *text is NULL, *length is where in `packed` the
 * bad back-reference starts (0 for PACK_OUT_OF_MEMORY), and nothing is
 * left allocated. */
pack_error unpack(const char *packed, size_t packed_length, char **text, size_t *length);

/* What an error means, in a few words. */
const char *pack_error_message(pack_error error);

#endif
