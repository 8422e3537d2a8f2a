/* Exercise 09: Strings without copies.
 *
 * The tests in tests/exercises/test_09_string_views.c pass for correctness
 * but test_log_memory fails: this index copies the whole text, one line at
 * a time.  Run `make test EX=09`, read which allocation sites the failure
 * blames, and change this file (not the test) until the suite passes.
 * The lesson: docs/09-string-views.md.  */
#include "line_index.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The first array holds this many lines, and doubles when it is full. */
enum { INITIAL_CAPACITY = 16 };

/* A line of its own, NUL-terminated so that the str* functions work on it. */
typedef struct line {
    char *text;
    size_t length;
} line;

struct line_index {
    line *lines;
    size_t count, capacity;
};

/* Copies the line at `start` to the end of the index; false if memory runs
 * out. */
static bool add_line(line_index *index, const char *start, size_t length) {
    if (index->count == index->capacity) {
        size_t capacity = index->capacity == 0 ? INITIAL_CAPACITY : 2 * index->capacity;
        line *lines = realloc(index->lines, capacity * sizeof *lines);
        if (lines == NULL)
            return false;
        index->lines = lines;
        index->capacity = capacity;
    }
    char *copy = malloc(length + 1);
    if (copy == NULL)
        return false;
    memcpy(copy, start, length);
    copy[length] = '\0';
    index->lines[index->count++] = (line){.text = copy, .length = length};
    return true;
}

line_index *index_lines(const char *text, size_t length) {
    line_index *index = calloc(1, sizeof *index);
    if (index == NULL)
        return NULL;
    const char *end = text + length;
    for (const char *start = text; start < end;) {
        const char *newline = memchr(start, '\n', (size_t)(end - start));
        const char *line_end = newline != NULL ? newline : end;
        if (!add_line(index, start, (size_t)(line_end - start))) {
            line_index_free(index);
            return NULL;
        }
        start = line_end + (newline != NULL);
    }
    return index;
}

void line_index_free(line_index *index) {
    if (index == NULL)
        return;
    for (size_t i = 0; i < index->count; i++)
        free(index->lines[i].text);
    free(index->lines);
    free(index);
}

size_t line_count(const line_index *index) { return index->count; }

text_view line_at(const line_index *index, size_t number) {
    const line *l = &index->lines[number];
    return (text_view){.start = l->text, .length = l->length};
}

size_t count_lines_starting_with(const line_index *index, const char *prefix) {
    size_t prefix_length = strlen(prefix), count = 0;
    for (size_t i = 0; i < index->count; i++)
        if (strncmp(index->lines[i].text, prefix, prefix_length) == 0)
            count++;
    return count;
}
