/* Exercise 05: the sample text.  Scaffolding, not part of the exercise. */
#include "sample_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const vocabulary[] = {
    "lorem",   "ipsum",   "dolor",  "sit",        "amet",  "consectetur", "elit",    "sed",
    "do",      "eiusmod", "tempor", "incididunt", "ut",    "labore",      "et",      "dolore",
    "magna",   "aliqua",  "enim",   "ad",         "minim", "veniam",      "quis",    "nostrud",
    "ullamco", "laboris", "nisi",   "aliquip",    "ex",    "ea",          "commodo", "consequat",
};
enum { VOCABULARY_SIZE = sizeof vocabulary / sizeof vocabulary[0] };

/* Mostly single spaces, sometimes a double space or a tab, so that a word
 * counter has to treat any run of white space as one separator. */
static const char *const separators[] = {" ", " ", " ", " ", " ", " ", "  ", "\t"};
enum { SEPARATOR_COUNT = sizeof separators / sizeof separators[0] };

/* A line is at most 16 words of 11 letters, 15 separators of 2 bytes and a
 * newline, 207 bytes: every line is short, though a few pass 120 bytes. */
enum { MAX_WORDS_PER_LINE = 16 };

enum { SEED = 20240605 };

/* A 64-bit linear congruential generator (Knuth's MMIX constants); the high
 * bits are the well-mixed ones. */
static unsigned next_random(uint64_t *state) {
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(*state >> 33);
}

/* Writes one line and returns its length in bytes, newline included. */
static size_t write_line(FILE *file, uint64_t *state) {
    size_t length = 0;
    unsigned words = next_random(state) % (MAX_WORDS_PER_LINE + 1);
    for (unsigned i = 0; i < words; i++) {
        if (i > 0) {
            const char *separator = separators[next_random(state) % SEPARATOR_COUNT];
            fputs(separator, file);
            length += strlen(separator);
        }
        const char *word = vocabulary[next_random(state) % VOCABULARY_SIZE];
        fputs(word, file);
        length += strlen(word);
    }
    putc('\n', file);
    return length + 1;
}

/* The whole input's buffer, allocated here: the suite's constructor calls
 * this before any test, in the runner's process, in no test's count; and
 * touched, so that it is resident before every test's body. */
char *spare_buffer;
enum { SPARE_SIZE = 4 * 1024 * 1024 };

FILE *sample_text_open(size_t size) {
    spare_buffer = malloc(SPARE_SIZE);
    if (spare_buffer != NULL)
        memset(spare_buffer, 0, SPARE_SIZE);
    FILE *file = tmpfile();
    if (file == NULL)
        return NULL;
    uint64_t state = SEED;
    for (size_t written = 0; written < size;)
        written += write_line(file, &state);
    if (fflush(file) != 0 || ferror(file) || fseek(file, 0, SEEK_SET) != 0) {
        fclose(file);
        return NULL;
    }
    return file;
}
