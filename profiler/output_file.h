/* output_file: opening the files heapbook writes (captures, flame graph
 * pages, exports) so that no command ever destroys a file that is not its
 * own: a mistyped -o (`-o notes.c`), or the capture being read given as
 * the output, is refused before a byte is written. */
#ifndef HEAPBOOK_OUTPUT_FILE_H
#define HEAPBOOK_OUTPUT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* How many of a file's first bytes a recognizer is shown. */
enum { OUTPUT_PROBE = 4096 };

/* What a command writes, and how to tell a file it wrote before. */
typedef struct output_kind {
    const char *what; /* "the capture", "the flame graph": for messages */
    const char *kind; /* "a heapbook capture": what an existing file must be */
    /* True if `start`, a file's first `length` (> 0) bytes (at most
     * OUTPUT_PROBE), is what this command writes. */
    bool (*recognize)(const unsigned char *start, size_t length);
    /* A FIFO or a character device (/dev/null, a pipe's reader) may be
     * written to: a stream destroys nothing. */
    bool streams;
} output_kind;

/* Opens `path` for writing, emptied: created if missing, else only if it
 * is none of `inputs` (the files being read, compared by device and
 * inode, so a link to one is one) and is empty or recognized as `kind`'s.
 * Never blocks on a FIFO nothing reads.  Returns the descriptor, or -1
 * with a sentence in `error` saying what is wrong and what to do. */
int output_file_create(const char *path, const output_kind *kind, char *const *inputs,
                       size_t input_count, char *error, size_t size);

/* The same as a stdio stream; NULL after saying why on stderr. */
FILE *output_file_open(const char *path, const output_kind *kind, char *const *inputs,
                       size_t input_count);

#endif
