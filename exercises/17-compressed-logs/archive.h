/* Exercise 17: Memory you asked a library for.  The contract the tests
 * check; do not change it.
 *
 * An archive of log lines by channel ("web", "db", ...): each channel's
 * lines are compressed as they come, with zlib, into a zlib stream of its
 * own (RFC 1950: what zlib's uncompress() reads back), so that a channel
 * can be read without the others. */
#ifndef ARCHIVE_H
#define ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

enum { ARCHIVE_MOST_CHANNELS = 64 };

typedef struct archive archive;

/* A new, empty archive, or NULL if memory ran out. */
archive *archive_new(void);

/* Appends `line` and a '\n' to channel `name` (at most
 * ARCHIVE_MOST_CHANNELS different names), compressed.  False if memory
 * ran out, zlib failed, there are too many channels, or the archive is
 * finished. */
bool archive_append(archive *a, const char *name, const char *line);

/* Ends every channel's stream: after it, the accessors below give each
 * channel's whole stream, and nothing more can be appended.  False if
 * memory ran out or zlib failed. */
bool archive_finish(archive *a);

/* The channels, in the order of their first line, and the compressed
 * stream of the i-th (once finished), which the archive owns. */
size_t archive_channels(const archive *a);
const char *archive_channel_name(const archive *a, size_t i);
const unsigned char *archive_channel_stream(const archive *a, size_t i, size_t *length);

/* Frees the archive, finished or not, and everything it holds, zlib's
 * memory included; NULL does nothing. */
void archive_free(archive *a);

#endif
