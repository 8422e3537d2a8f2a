/* capture_reader: reads a capture file (capture.h) in one streaming pass,
 * checking every record as it goes.
 *
 * Memory stays bounded by what the capture describes, not by its length:
 * the decompressed records pass through a fixed window; what is kept is
 * the distinct call stacks and the modules.  Every count and length read
 * is checked against a limit before anything is allocated for it.
 *
 * A truncated, corrupted or crafted capture gives an error naming the
 * file, what is wrong and where (the byte offset in its records); never a
 * crash, an endless loop or a huge allocation.  capture_next() reports the
 * error by returning false with c->failed set; a report must then stop. */
#ifndef HEAPBOOK_CAPTURE_READER_H
#define HEAPBOOK_CAPTURE_READER_H

#include "capture.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CAPTURE_ERROR = 512,
    /* Limits no capture heapbook writes comes near; a larger figure is
     * refused as damage. */
    CAPTURE_MAX_STACKS = 1 << 22,
    CAPTURE_MAX_FRAMES = 1 << 25,
    CAPTURE_MAX_MODULES = 4096,
    CAPTURE_MAX_INFOS = 1 << 24,
    CAPTURE_MAX_NAMES = 1 << 22,
};

typedef struct capture_module {
    char *path;
    uint64_t bias, start, size; /* its addresses: bias + [start, start + size) */
    unsigned char build_id[CAPTURE_MAX_BUILD_ID];
    unsigned build_id_length;
} capture_module;

/* A frame as heapbook run named it ('R'): name ids into capture.names. */
typedef struct capture_named_frame {
    uint32_t function, file, module; /* 0: unknown, or none */
    int line;
    uint64_t offset;
} capture_named_frame;

/* The frames one return address stands for: named[first, first + count). */
typedef struct capture_resolved {
    uint64_t address;
    size_t first;
    unsigned count;
} capture_resolved;

typedef struct capture_source capture_source;

typedef struct capture {
    const char *file;
    capture_source *source; /* the file or memory, and the decompression */
    int pass;               /* 1 at the first reading, 2 after capture_rewind() */
    unsigned version;       /* of its format (capture.h) */

    /* from the hello */
    uint32_t pid, ppid;
    uint64_t start_wall_ns, start_ns;
    int allocator;
    char *arguments; /* NUL-separated */
    size_t arguments_length;

    /* as read so far */
    uint64_t time_ns; /* of the events now: ns since the start */
    bool ended;       /* an 'E' was read */
    int ended_kind;   /* an 'X': CAPTURE_ENDED_*, or 0 */
    uint64_t ended_value;

    uint64_t *frames; /* every stack's frames, back to back, innermost first */
    size_t frame_count, frame_capacity;
    uint64_t *stack_first; /* [id]: index of its first frame; [0] unused */
    uint16_t *stack_depth;
    uint32_t stack_count;
    size_t stack_capacity, depth_capacity;

    uint64_t *info_size; /* [id]: the (size, stack) pairs; [0] unused */
    uint32_t *info_stack;
    uint32_t info_count;
    size_t info_capacity, info_stack_capacity;
    uint32_t info_written;   /* 'I' records read so far in this pass */
    uint32_t last_info;      /* of the last 'A' or 'F' read */
    uint32_t last_allocated; /* the info of the 'A' just read, 0 after any free */

    capture_module *modules; /* every module any map listed */
    size_t module_count, module_capacity;
    uint16_t *module_index; /* the modules by bias and path (capture_reader.c) */

    /* The frames heapbook run named at the end of recording ('n' or 'N', 'R');
     * none in a version 3 capture. */
    char **names; /* [id - 1] */
    uint32_t name_count;
    size_t name_capacity;
    capture_named_frame *named;
    size_t named_count, named_capacity;
    capture_resolved *resolved; /* by ascending address */
    size_t resolved_count, resolved_capacity;

    bool failed;
    char error[CAPTURE_ERROR];
} capture;

typedef struct capture_event {
    enum capture_tag tag; /* TAG_ALLOC, TAG_FREE, TAG_KEPT, TAG_BUFFER or TAG_SAMPLE */
    uint64_t time_ns;     /* since the start */
    uint32_t info;        /* the block's (size, stack) pair */
    uint64_t size;        /* ... its size */
    uint32_t stack;       /* ... and stack */
    uint64_t rss;         /* samples */
    bool temporary;       /* a free of the block allocated last, none since ('t') */
} capture_event;

/* Opens `path` and reads its file header.  On failure returns false with a
 * sentence in `error` ("capture.hbcap: not a heapbook capture"); special
 * files (a FIFO, a device) are refused without blocking. */
bool capture_open(const char *path, capture *c, char error[CAPTURE_ERROR]);

/* The same for a capture in memory (the fuzzer's entry); `data` must
 * outlive `c`, and `name` is used in messages. */
bool capture_open_memory(const char *name, const unsigned char *data, size_t size, capture *c,
                         char error[CAPTURE_ERROR]);

/* The next allocation, free, kept block (a failed realloc's: live again),
 * library buffer (one live block is the C library's own) or sample.  False
 * at the end, or on an error (c->failed, c->error). */
bool capture_next(capture *c, capture_event *event);

/* Back to the first record, for a second pass: the stacks and modules
 * read in the first are kept (and the second pass must agree with them). */
bool capture_rewind(capture *c);

void capture_close(capture *c);

/* Frame `i` (innermost first) of stack `id`, and its depth. */
static inline uint64_t capture_frame(const capture *c, uint32_t id, unsigned i) {
    return c->frames[c->stack_first[id] + i];
}
static inline unsigned capture_depth(const capture *c, uint32_t id) {
    return id == 0 || id > c->stack_count ? 0 : c->stack_depth[id];
}

/* The frames heapbook run named for the return address `address`, or
 * NULL if it named none. */
const capture_resolved *capture_resolved_of(const capture *c, uint64_t address);

/* Name `id` of capture.names; "" for 0. */
static inline const char *capture_name(const capture *c, uint32_t id) {
    return id == 0 ? "" : c->names[id - 1];
}

/* The module holding `address`, or NULL. */
const capture_module *capture_module_of(const capture *c, uint64_t address);

/* The command line, arguments separated by spaces, into `text`. */
void capture_command(const capture *c, char *text, size_t size);

#endif
