/* Exercise 13 as a program, to run under a debugger, valgrind or heapbook:
 *
 *     build/exercises/13-green-but-wrong/program [FILE]
 *
 * packs FILE (with no argument, a text of its own with a chorus), unpacks
 * what it packed, and says whether that gives the text back.
 */
#include "pack.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char default_text[] = "The buffer grew and moved away,\n"
                                   "the pointer stayed where it had been;\n"
                                   "it read the bytes of yesterday\n"
                                   "and every test came back as green.\n"
                                   "\n"
                                   "Green, green, the tests are green,\n"
                                   "but green is not the same as clean.\n"
                                   "Green, green, the tests are green,\n"
                                   "but green is not the same as clean.\n"
                                   "\n"
                                   "It read one byte beyond the end,\n"
                                   "a byte it never had been lent;\n"
                                   "the counting harness, like a friend,\n"
                                   "saw every write, not what it meant.\n"
                                   "\n"
                                   "Green, green, the tests are green,\n"
                                   "but green is not the same as clean.\n"
                                   "Green, green, the tests are green,\n"
                                   "but green is not the same as clean.\n";

/* The whole of `path` in a block of its own size (no '\0' after it), in
 * *text; false, having said why, if it cannot be read. */
static bool read_file(const char *path, char **text, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "pack: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    long size = fseek(file, 0, SEEK_END) == 0 ? ftell(file) : -1;
    *text = size >= 0 && fseek(file, 0, SEEK_SET) == 0 ? malloc(size > 0 ? (size_t)size : 1) : NULL;
    *length = size > 0 ? (size_t)size : 0;
    bool read = *text != NULL && fread(*text, 1, *length, file) == *length;
    if (!read) {
        fprintf(stderr, "pack: cannot read %s: %s\n", path, strerror(errno));
        free(*text);
    }
    fclose(file);
    return read;
}

/* Where two texts first differ, or their common length if one is the
 * other's beginning. */
static size_t first_difference(const char *a, size_t a_length, const char *b, size_t b_length) {
    size_t i = 0;
    while (i < a_length && i < b_length && a[i] == b[i])
        i++;
    return i;
}

int main(int argc, char **argv) {
    if (argc > 2) {
        fprintf(stderr, "usage: %s [FILE]\n", argv[0]);
        return 2;
    }
    char *text = NULL;
    size_t length = sizeof default_text - 1;
    if (argc == 2 && !read_file(argv[1], &text, &length))
        return 1;
    const char *input = argc == 2 ? text : default_text;
    char *packed, *unpacked;
    size_t packed_length, unpacked_length;
    pack_error error = pack(input, length, &packed, &packed_length);
    if (error == PACK_OK) {
        error = unpack(packed, packed_length, &unpacked, &unpacked_length);
        if (error != PACK_OK)
            free(packed);
    }
    if (error != PACK_OK) {
        fprintf(stderr, "pack: %s\n", pack_error_message(error));
        free(text);
        return 1;
    }
    printf("packed %zu bytes into %zu\n", length, packed_length);
    size_t same = first_difference(input, length, unpacked, unpacked_length);
    if (same == length && same == unpacked_length)
        printf("unpacked them back into the same %zu bytes\n", unpacked_length);
    else
        printf("unpacked them back into %zu bytes, which differ from the text from byte %zu on\n",
               unpacked_length, same);
    free(unpacked);
    free(packed);
    free(text);
    return same == length && same == unpacked_length ? 0 : 1;
}
