/* Exercise 05, a wrong fix: the input is read a 4 KiB block at a time, and
 * each block is ended with a '\0', as a string is, but the buffer has no
 * room for it when the block is full. */
#include "word_count.h"

#include <ctype.h>
#include <stdlib.h>

enum { BLOCK = 4096 };

/* Adds the lines, words and bytes of text[0..length) to *counts.  *in_word
 * says whether the text before ended inside a word; it is updated. */
static void count_bytes(const char *text, size_t length, word_counts *counts, bool *in_word) {
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n')
            counts->lines++;
        if (isspace(c)) {
            *in_word = false;
        } else if (!*in_word) {
            counts->words++;
            *in_word = true;
        }
    }
    counts->bytes += length;
}

bool word_count(FILE *in, word_counts *counts) {
    *counts = (word_counts){0};
    char *block = malloc(BLOCK);
    if (block == NULL)
        return false;
    bool in_word = false;
    size_t length;
    while ((length = fread(block, 1, BLOCK, in)) > 0) {
        block[length] = '\0'; /* the mistake: when length is BLOCK, past the end */
        count_bytes(block, length, counts, &in_word);
    }
    free(block);
    return !ferror(in);
}
