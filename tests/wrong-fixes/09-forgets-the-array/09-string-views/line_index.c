/* Exercise 09, a wrong fix: views, as in the solution, but
 * line_index_free() frees only the index, not its array of views. */
#include "line_index.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The first array holds this many lines, and doubles when it is full. */
enum { INITIAL_CAPACITY = 16 };

struct line_index {
    text_view *lines; /* views into the text given to index_lines() */
    size_t count, capacity;
};

/* Adds a view of the line at `start`; false if memory runs out. */
static bool add_line(line_index *index, const char *start, size_t length) {
    if (index->count == index->capacity) {
        size_t capacity = index->capacity == 0 ? INITIAL_CAPACITY : 2 * index->capacity;
        text_view *lines = realloc(index->lines, capacity * sizeof *lines);
        if (lines == NULL)
            return false;
        index->lines = lines;
        index->capacity = capacity;
    }
    index->lines[index->count++] = (text_view){.start = start, .length = length};
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
    free(index); /* the mistake: index->lines is lost */
}

size_t line_count(const line_index *index) { return index->count; }

text_view line_at(const line_index *index, size_t number) { return index->lines[number]; }

/* A view has no '\0' after it, so strncmp() could read past its end (into
 * the next line, or past the text): compare lengths first, then bytes. */
size_t count_lines_starting_with(const line_index *index, const char *prefix) {
    size_t prefix_length = strlen(prefix), count = 0;
    for (size_t i = 0; i < index->count; i++) {
        const text_view *l = &index->lines[i];
        if (l->length >= prefix_length && memcmp(l->start, prefix, prefix_length) == 0)
            count++;
    }
    return count;
}
