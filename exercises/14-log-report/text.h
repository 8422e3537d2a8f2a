/* Exercise 14: text, the log report's one helper for strings.  Every string
 * the program keeps or writes is made here: the fields copied out of the
 * log, the keys of the tally's tables, the report itself.  You should not
 * need to change it. */
#ifndef TEXT_H
#define TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A string that grows: `length` bytes at `bytes`, followed by a '\0' once
 * anything was added.  {0} is the empty text, with nothing allocated. */
typedef struct text {
    char *bytes;
    size_t length, capacity; /* capacity counts the '\0' */
} text;

/* Makes room for `more` bytes after the text, and its '\0'.  The capacity
 * starts at TEXT_MIN_CAPACITY and doubles until it is enough, so that a
 * text built a piece at a time is reallocated only a few times.  false if
 * memory runs out; the text is then unchanged. */
enum { TEXT_MIN_CAPACITY = 16 };
bool text_reserve(text *t, size_t more);

/* Adds `length` bytes at `bytes`; false if memory runs out. */
bool text_append(text *t, const char *bytes, size_t length);

/* Adds what printf would print; false if memory runs out. */
bool text_printf(text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Empties the text and keeps its memory for what comes next. */
void text_clear(text *t);

/* Frees the text's memory; it is {0} again. */
void text_free(text *t);

/* A NUL-terminated copy of the `length` bytes at `bytes`, made as a text:
 * free() it.  NULL if memory runs out. */
char *text_copy(const char *bytes, size_t length);

#endif
