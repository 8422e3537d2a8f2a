/* Exercise 14: reading a log a line at a time (log_reader.h). */
#include "log_reader.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void log_reader_init(log_reader *reader, int fd) { *reader = (log_reader){.fd = fd}; }

/* Moves the line not handed out yet to the front of the buffer, then reads
 * more after it; false if reading fails or memory runs out. */
static bool read_more(log_reader *reader) {
    text *buffer = &reader->buffer;
    if (reader->line_start > 0) {
        buffer->length -= reader->line_start;
        memmove(buffer->bytes, buffer->bytes + reader->line_start, buffer->length);
        reader->line_start = 0;
    }
    size_t room = buffer->capacity > buffer->length ? buffer->capacity - buffer->length - 1 : 0;
    if (room < LOG_READ_SIZE / 2) {
        if (!text_reserve(buffer, LOG_READ_SIZE)) {
            errno = ENOMEM;
            return false;
        }
        room = buffer->capacity - buffer->length - 1;
    }
    ssize_t got;
    do
        got = read(reader->fd, buffer->bytes + buffer->length, room);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return false;
    reader->end_of_file = got == 0;
    buffer->length += (size_t)got;
    buffer->bytes[buffer->length] = '\0';
    return true;
}

int log_reader_next(log_reader *reader, const char **line, size_t *length) {
    for (;;) {
        size_t pending = reader->buffer.length - reader->line_start;
        if (pending > 0) {
            char *start = reader->buffer.bytes + reader->line_start;
            char *newline = memchr(start + reader->scanned, '\n', pending - reader->scanned);
            if (newline != NULL || reader->end_of_file) {
                *line = start;
                *length = newline != NULL ? (size_t)(newline - start) : pending;
                reader->line_start += *length + (newline != NULL);
                reader->scanned = 0;
                return 1;
            }
            reader->scanned = pending;
        } else if (reader->end_of_file) {
            return 0;
        }
        if (!read_more(reader))
            return -1;
    }
}

void log_reader_free(log_reader *reader) { text_free(&reader->buffer); }
