/* capture_reader: reads a capture file (capture.h), checking every record.
 *
 * capture_open() maps the file and walks it once: a truncated or corrupted
 * capture is refused with a message that names the file, what is wrong and
 * at which byte offset; it never crashes.  After that, capture_next() hands
 * out the allocation, free and sample events in order without checks. */
#ifndef HEAPBOOK_CAPTURE_READER_H
#define HEAPBOOK_CAPTURE_READER_H

#include "capture.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CAPTURE_ERROR = 512 };

typedef struct capture_module {
    const char *path; /* into the mapped file: not NUL-terminated */
    uint16_t path_length;
    uint64_t bias;
} capture_module;

typedef struct capture_clock {
    uint64_t ns, ticks; /* the same moment in both clocks */
} capture_clock;

typedef struct capture {
    const char *file;
    const unsigned char *data;
    size_t size;
    bool mapped;          /* data is a mapping of the file, to unmap */
    size_t records_start; /* offset of the first record */
    uint32_t pid;
    uint64_t start_time_ns; /* wall clock */
    const char *arguments;  /* NUL-separated */
    uint32_t arguments_length;
    bool ended;           /* an 'E' record was seen */
    uint64_t end_time_ns; /* of 'E', or of the last record */
    uint64_t allocations, frees, samples;
    const unsigned char **stacks; /* stacks[id]: the 'S' record's frames */
    uint16_t *stack_depths;
    uint32_t stack_count;
    capture_module *modules; /* the last module map */
    size_t module_count;
    capture_clock *clocks; /* of 'M', 'l' and 'E', in order */
    size_t clock_count;
    uint64_t last_event_ticks;
} capture;

typedef struct capture_event {
    enum capture_tag tag; /* TAG_ALLOC, TAG_FREE or TAG_SAMPLE */
    uint64_t time_ns;
    uint64_t address, size; /* allocations and frees */
    uint32_t stack;
    uint64_t heap, rss; /* samples */
} capture_event;

/* Opens and checks `path`.  On failure returns false with a sentence in
 * `error` ("capture.hbcap: truncated at byte 1234: an allocation record
 * needs 29 bytes, 7 are left"). */
bool capture_open(const char *path, capture *c, char error[CAPTURE_ERROR]);
void capture_close(capture *c);

/* The same checks on a capture already in memory (the fuzzer's entry);
 * `data` must outlive `c`, and `name` is used in messages. */
bool capture_read_memory(const char *name, const unsigned char *data, size_t size, capture *c,
                         char error[CAPTURE_ERROR]);

/* Frame `i` of stack `id` (innermost first). */
uint64_t capture_frame(const capture *c, uint32_t id, unsigned i);

typedef struct capture_cursor {
    size_t offset;
    uint64_t ticks, address; /* of the last event: the deltas' base */
    size_t segment;          /* for capture_ticks_to_ns() */
} capture_cursor;

/* Starts at the first record. */
capture_cursor capture_begin(const capture *c);

/* The next allocation, free or sample; false at the end. */
bool capture_next(const capture *c, capture_cursor *cursor, capture_event *event);

/* An event's ticks as nanoseconds since the start, on straight lines
 * between the clock records; `segment` (0 at first) speeds up calls made in
 * order. */
uint64_t capture_ticks_to_ns(const capture *c, uint64_t ticks, size_t *segment);

/* The command line, arguments separated by spaces, into `text`. */
void capture_command(const capture *c, char *text, size_t size);

#endif
