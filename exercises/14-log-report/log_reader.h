/* Exercise 14: reading a log a line at a time.  You should not need to
 * change it. */
#ifndef LOG_READER_H
#define LOG_READER_H

#include "text.h"

#include <stddef.h>

/* When less than half of this is free after what the reader holds, it makes
 * room for this much more before it reads. */
enum { LOG_READ_SIZE = 4000 };

/* Reads lines from a file descriptor.  Its buffer holds what was read and
 * not handed out yet: it grows with the longest line, never with the log. */
typedef struct log_reader {
    int fd;
    text buffer;
    size_t line_start; /* where the line not handed out yet starts */
    size_t scanned;    /* bytes after line_start known to hold no '\n' */
    bool end_of_file;
} log_reader;

/* A reader of `fd`, which stays the caller's to close. */
void log_reader_init(log_reader *reader, int fd);

/* The next line, without its '\n' (a last line without one is a line too):
 * 1, with *line and *length set, valid until the next call; 0 at the end of
 * the log; -1 if reading fails or memory runs out, with errno set. */
int log_reader_next(log_reader *reader, const char **line, size_t *length);

/* Frees the reader's buffer. */
void log_reader_free(log_reader *reader);

#endif
