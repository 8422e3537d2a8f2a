/* Exercise 16 as a program, to run under valgrind, a debugger or heapbook:
 *
 *     build/exercises/16-uninitialised-bytes/program [FILE]
 *
 * tallies the words of FILE (letters only, at most 15 of them; longer
 * words are cut) and prints each with its count, in the order first seen.
 * With no FILE, it tallies a short text of its own. */
#include "tally.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char default_text[] =
    "the bytes nobody wrote are still there, and they hold whatever the last "
    "owner of the memory left: zero on a fresh page, the last word of a freed "
    "block, or the pattern a tool wrote to make them stand out";

/* The next character of `file`, or of the default text if it is NULL; EOF
 * at the end. */
static int next_char(FILE *file, size_t *at) {
    if (file != NULL)
        return getc(file);
    return default_text[*at] != '\0' ? (unsigned char)default_text[(*at)++] : EOF;
}

int main(int argc, char **argv) {
    if (argc > 2) {
        fprintf(stderr, "usage: %s [FILE]\n", argv[0]);
        return 2;
    }
    FILE *file = argc == 2 ? fopen(argv[1], "r") : NULL;
    if (argc == 2 && file == NULL) {
        fprintf(stderr, "tally: cannot open %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    tally *t = tally_new();
    if (t == NULL) {
        fprintf(stderr, "tally: out of memory\n");
        if (file != NULL)
            fclose(file);
        return 1;
    }
    char word[TALLY_LONGEST_WORD + 1];
    size_t length = 0, at = 0;
    for (int c = next_char(file, &at);; c = next_char(file, &at)) {
        if (c != EOF && isalpha(c)) {
            if (length < TALLY_LONGEST_WORD)
                word[length++] = (char)tolower(c);
            continue;
        }
        word[length] = '\0';
        if (length > 0 && !tally_add(t, word)) {
            fprintf(stderr, "tally: out of memory\n");
            tally_free(t);
            if (file != NULL)
                fclose(file);
            return 1;
        }
        length = 0;
        if (c == EOF)
            break;
    }
    for (size_t i = 0; i < tally_words(t); i++)
        printf("%4u %s\n", tally_count(t, tally_word(t, i)), tally_word(t, i));
    tally_free(t);
    if (file != NULL)
        fclose(file);
    return 0;
}
