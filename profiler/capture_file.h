/* capture_file: the capture file's own header, and creating the files
 * heapbook run writes without ever overwriting someone else's file. */
#ifndef HEAPBOOK_CAPTURE_FILE_H
#define HEAPBOOK_CAPTURE_FILE_H

#include "capture.h"

#include <stddef.h>

/* The CAPTURE_FILE_HEADER bytes a capture starts with. */
void capture_file_header(unsigned char header[CAPTURE_FILE_HEADER]);

/* The history zstd compresses a capture of version 6 against, and the
 * reader decompresses it with (raw content, no dictionary id): the names
 * and paths of the C runtime's own frames, which every capture of a
 * program on glibc holds and which were most of a small program's
 * capture.  Part of the format: changing a byte of it is a new version. */
const void *capture_file_dictionary(size_t *size);

/* Opens `path` for writing a new capture, emptied: created if missing,
 * else only if it is a regular file that holds a heapbook capture (of any
 * version) or nothing, so that a mistyped -o never destroys a source file.
 * Never blocks (a FIFO is refused).  Returns the descriptor, or -1 with a
 * sentence in `error` that says what to do. */
int capture_file_create(const char *path, char *error, size_t size);

#endif
