/* transcoder: what heapbook run does to a process's stream on its way into
 * the capture file (capture.h): events by address become events by info
 * id, a (size, stack) pair.  It keeps the process's live blocks (address to
 * info) to match each free to its allocation, so the file needs neither
 * addresses nor sizes on frees, and the reader no table of blocks.
 *
 * The stream comes from shared memory the program could have scribbled
 * on: anything that is not what the preload writes stops the transcoding
 * with a reason, and never crashes heapbook run. */
#ifndef HEAPBOOK_TRANSCODER_H
#define HEAPBOOK_TRANSCODER_H

#include "capture_reader.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct transcoder transcoder;

/* Where the transcoded bytes go, whole records at a time. */
typedef void transcoder_sink(void *context, const unsigned char *data, size_t size);

transcoder *transcoder_new(void); /* NULL if memory runs out */

/* Transcodes `size` bytes holding whole records of the preload into
 * `sink`.  False, with a sentence in transcoder_error(), if they are not
 * records the preload writes or memory runs out; nothing more is then
 * transcoded. */
bool transcoder_feed(transcoder *t, const unsigned char *data, size_t size, transcoder_sink *sink,
                     void *context);

/* Writes the events counted but not yet written (the last tick's, of a
 * stream that stopped without its end record) into `sink`. */
void transcoder_finish(transcoder *t, transcoder_sink *sink, void *context);

const char *transcoder_error(const transcoder *t);

/* The distinct return addresses of the stream's stacks so far, ascending,
 * in an array the caller frees, and their number in *count; NULL if
 * memory runs out. */
uint64_t *transcoder_addresses(const transcoder *t, size_t *count);

/* The modules the stream's maps listed, each once; valid until the next
 * feed or reset. */
const capture_module *transcoder_modules(const transcoder *t, size_t *count);

/* The program the process was about to exec when its stream stopped (an
 * exec that did not fail), or NULL: if no new stream of the process
 * follows, that program was not recorded. */
const char *transcoder_exec_pending(const transcoder *t);

/* Children the process vfork()ed that exec'd a program (capture.h's 'x'
 * with another pid): heapbook run --follow-fork expects a stream of each. */
enum { TRANSCODER_CHILDREN = 16 };
typedef struct transcoder_exec {
    pid_t pid;
    char *path;
} transcoder_exec;
const transcoder_exec *transcoder_children(const transcoder *t, size_t *count);
/* Forgets them (after taking them). */
void transcoder_forget_children(transcoder *t);

/* Forgets everything: a new stream starts (the process exec'd). */
void transcoder_reset(transcoder *t);

void transcoder_free(transcoder *t);

#endif
