/* Exercise 05, a wrong fix: line by line with getline(), as in the
 * solution, but the line buffer getline() made is never freed. */
#include "word_count.h"

#include <ctype.h>
#include <stdlib.h>
#include <sys/types.h>

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
    char *line = NULL;
    size_t capacity = 0;
    bool in_word = false;
    ssize_t length;
    /* getline() counts the bytes it read, so a NUL inside a line is counted
     * like any other byte. */
    while ((length = getline(&line, &capacity, in)) != -1)
        count_bytes(line, (size_t)length, counts, &in_word);
    /* -1 means the end of the input, a read error or no memory for a longer
     * line: only the first is success. */
    return feof(in) && !ferror(in); /* the mistake: `line` is never freed */
}
