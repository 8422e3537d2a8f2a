/* Exercise 09: Strings without copies.  The contract the tests check; do not
 * change it. */
#ifndef LINE_INDEX_H
#define LINE_INDEX_H

#include <stddef.h>

/* A piece of text: `length` bytes from `start`.  Not NUL-terminated, so
 * compare it with memcmp(), not strcmp(). */
typedef struct text_view {
    const char *start;
    size_t length;
} text_view;

/* The lines of a text, for looking them up by number or by how they begin,
 * as a log viewer does.  Opaque: only these functions touch it. */
typedef struct line_index line_index;

/* Splits the `length` bytes at `text` into lines at each '\n' (which belongs
 * to no line).  A last line without '\n' is a line too; an empty text has no
 * lines.  The index may point into `text`: keep the text alive and unchanged
 * until line_index_free().  Returns NULL if memory runs out. */
line_index *index_lines(const char *text, size_t length);

/* Frees the index (not the text).  NULL is allowed. */
void line_index_free(line_index *index);

/* How many lines there are. */
size_t line_count(const line_index *index);

/* Line number `number` (from 0, below line_count()), without its '\n'.  The
 * view is valid until line_index_free(). */
text_view line_at(const line_index *index, size_t number);

/* How many lines begin with the NUL-terminated `prefix` ("" begins every
 * line), as `grep -c '^prefix'` would count them. */
size_t count_lines_starting_with(const line_index *index, const char *prefix);

#endif
