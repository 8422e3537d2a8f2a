/* Exercise 13: a growing byte buffer, shared by pack() and unpack().  It
 * works as its comments say; the exercise is in how its callers use it. */
#ifndef BUFFER_H
#define BUFFER_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes appended one after another.  An empty buffer is {NULL, 0, 0}. */
typedef struct buffer {
    char *bytes;     /* NULL until something is appended */
    size_t length;   /* bytes in use */
    size_t capacity; /* bytes allocated */
} buffer;

/* Makes room for `more` bytes after those in use, doubling the capacity
 * (from 64 bytes) as often as it takes.  Growing calls realloc(), which may
 * MOVE the bytes to a new block and free the old one: a pointer into the
 * buffer taken before this call may then point into freed memory.  False
 * if memory runs out; the buffer is then unchanged. */
bool buffer_reserve(buffer *b, size_t more);

/* Appends `count` bytes read from `bytes`, growing the buffer first if it
 * needs to (so `bytes` must not point into `b`'s own bytes).  False if
 * memory runs out; the buffer is then unchanged. */
bool buffer_append(buffer *b, const char *bytes, size_t count);

/* Appends one byte; false if memory runs out. */
bool buffer_push(buffer *b, char byte);

/* Ends the bytes with a '\0' and hands them over: the caller frees them.
 * *length is the number of bytes before the '\0'.  The buffer is left
 * empty.  NULL if memory runs out, and the buffer is then freed. */
char *buffer_finish(buffer *b, size_t *length);

/* Frees the bytes and leaves the buffer empty. */
void buffer_free(buffer *b);

#endif
