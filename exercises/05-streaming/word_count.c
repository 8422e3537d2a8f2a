/* Exercise 05: Streaming instead of slurping.
 *
 * The tests in tests/exercises/test_05_streaming.c pass for correctness but
 * test_word_count_memory fails: counting a 3 MiB text holds far more heap
 * than counting needs.  Run `make test EX=05`, read which allocation site the
 * failure blames, and change this file (not the test) until the suite
 * passes.  The lesson: docs/05-streaming.md.  */
#include "word_count.h"

#include <ctype.h>
#include <stdlib.h>

/* Enough for a small file in one read; bigger inputs double it. */
enum { FIRST_CAPACITY = 4096 };

/* Reads everything left in `in` into one new buffer and stores its length in
 * *length; the caller frees the buffer.  NULL if reading failed or memory ran
 * out. */
static char *read_all(FILE *in, size_t *length) {
    size_t capacity = FIRST_CAPACITY, used = 0;
    char *text = malloc(capacity);
    if (text == NULL)
        return NULL;
    for (;;) {
        used += fread(text + used, 1, capacity - used, in);
        if (used < capacity) /* a short read: the end of the input, or an error */
            break;
        capacity *= 2;
        char *grown = realloc(text, capacity);
        if (grown == NULL) {
            free(text);
            return NULL;
        }
        text = grown;
    }
    if (ferror(in)) {
        free(text);
        return NULL;
    }
    *length = used;
    return text;
}

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
    size_t length;
    char *text = read_all(in, &length);
    if (text == NULL)
        return false;
    bool in_word = false;
    count_bytes(text, length, counts, &in_word);
    free(text);
    return true;
}
