/* capture_reader.c: a capture's records, decompressed through a window
 * and checked one by one (capture_reader.h). */
#include "capture_reader.h"

#include "array.h"
#include "capture_file.h"
#include "records.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

enum {
    INPUT_BYTES = 128 * 1024,
    /* The decompressed window: room for the longest record and more. */
    WINDOW_BYTES = 4 * CAPTURE_MAX_RECORD,
    /* zstd's window, capped: a crafted frame may not ask for gigabytes. */
    ZSTD_WINDOW_LOG_MAX = 23,
};

/* Time past which a capture's clock is damage (about 146 years). */
static const uint64_t MAX_TIME_NS = UINT64_C(1) << 62;

/* The 'G' record being handed out, an event at a time: entry `next` has
 * `left` of its count to go; for blocks allocated and freed in it,
 * `freeing` says the 'A' was handed and its free is next. */
typedef struct pending_group {
    uint32_t info[CAPTURE_GROUP_ENTRIES], count[CAPTURE_GROUP_ENTRIES];
    unsigned entries, next;
    uint32_t left;
    int kind;
    bool freeing;
} pending_group;

struct capture_source {
    int fd; /* -1: memory */
    const unsigned char *memory;
    size_t memory_size;
    ZSTD_DCtx *zstd;
    ZSTD_inBuffer in;
    unsigned char input[INPUT_BYTES];
    bool input_done; /* no more compressed bytes */
    bool frame_open; /* zstd is inside a frame (its end not seen yet) */
    bool past_end;   /* this pass has read the end record */
    bool exhausted;  /* every record left is in the window */
    unsigned char window[WINDOW_BYTES];
    size_t start, end; /* the bytes not read yet: window[start, end) */
    uint64_t offset;   /* decompressed offset of window[start] */
    pending_group group;
};

static bool fail(capture *c, const char *format, ...) __attribute__((format(printf, 2, 3)));

static bool fail(capture *c, const char *format, ...) {
    if (c->failed)
        return false;
    int n = snprintf(c->error, CAPTURE_ERROR, "%s: ", c->file);
    va_list args;
    va_start(args, format);
    if (n > 0 && n < CAPTURE_ERROR)
        vsnprintf(c->error + n, CAPTURE_ERROR - (size_t)n, format, args);
    va_end(args);
    c->failed = true;
    return false;
}

/* ---- the compressed input */

/* More compressed bytes into s->in; false when there are none. */
static bool read_input(capture *c) {
    capture_source *s = c->source;
    if (s->input_done)
        return false;
    if (s->fd < 0) { /* memory: all of it at once */
        s->in = (ZSTD_inBuffer){s->memory, s->memory_size, 0};
        s->input_done = true;
        return s->memory_size > 0;
    }
    ssize_t n;
    do
        n = read(s->fd, s->input, sizeof s->input);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return fail(c, "cannot read: %s", strerror(errno));
    if (n == 0) {
        s->input_done = true;
        return false;
    }
    s->in = (ZSTD_inBuffer){s->input, (size_t)n, 0};
    return true;
}

/* Decompresses until `wanted` bytes are in the window or the records end. */
static bool fill(capture *c, size_t wanted) {
    capture_source *s = c->source;
    if (s->end - s->start >= wanted || s->exhausted)
        return true;
    memmove(s->window, s->window + s->start, s->end - s->start);
    s->end -= s->start;
    s->start = 0;
    while (s->end < wanted) {
        if (s->in.pos == s->in.size && !read_input(c))
            break;
        ZSTD_outBuffer out = {s->window, sizeof s->window, s->end};
        size_t hint = ZSTD_decompressStream(s->zstd, &out, &s->in);
        if (ZSTD_isError(hint))
            return fail(c, "damaged: its compressed records do not decompress (zstd: %s)",
                        ZSTD_getErrorName(hint));
        s->frame_open = hint != 0;
        s->end = out.pos;
    }
    if (c->failed)
        return false;
    if (s->end == 0 && s->frame_open)
        return fail(c, "cut short: its compressed data stops in the middle (was heapbook run "
                       "stopped before it finished?)");
    /* Nothing more will come: the last records are read from the window as
     * they are, without moving them again for every one. */
    s->exhausted = s->end < wanted;
    return true;
}

static bool open_source(capture *c, int fd, const unsigned char *memory, size_t size,
                        char error[CAPTURE_ERROR]) {
    c->source = calloc(1, sizeof *c->source);
    if (c->source == NULL || (c->source->zstd = ZSTD_createDCtx()) == NULL) {
        snprintf(error, CAPTURE_ERROR, "%s: out of memory", c->file);
        return false;
    }
    c->source->fd = fd;
    c->source->memory = memory;
    c->source->memory_size = size;
    ZSTD_DCtx_setParameter(c->source->zstd, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
    size_t dictionary_size;
    const void *dictionary = capture_file_dictionary(&dictionary_size);
    if (c->version >= CAPTURE_VERSION &&
        ZSTD_isError(ZSTD_DCtx_loadDictionary(c->source->zstd, dictionary, dictionary_size))) {
        snprintf(error, CAPTURE_ERROR, "%s: out of memory", c->file);
        return false;
    }
    return true;
}

/* The file header, from the first bytes (of the file, uncompressed). */
static bool check_file_header(capture *c, const unsigned char *header, size_t size,
                              char error[CAPTURE_ERROR]) {
    if (size < 5 || memcmp(header, "HBCAP", 5) != 0) {
        snprintf(error, CAPTURE_ERROR,
                 "%s: not a heapbook capture (it does not start with \"HBCAP\")", c->file);
        return false;
    }
    unsigned marked = 0; /* the version the magic names */
    if (size >= CAPTURE_MAGIC_SIZE && memcmp(header, CAPTURE_MAGIC, CAPTURE_MAGIC_SIZE) == 0)
        marked = CAPTURE_VERSION;
    else if (size >= CAPTURE_MAGIC_SIZE && memcmp(header, CAPTURE_MAGIC_5, CAPTURE_MAGIC_SIZE) == 0)
        marked = CAPTURE_VERSION_5;
    else if (size >= CAPTURE_MAGIC_SIZE && memcmp(header, CAPTURE_MAGIC_4, CAPTURE_MAGIC_SIZE) == 0)
        marked = CAPTURE_VERSION_4;
    else if (size >= CAPTURE_MAGIC_SIZE && memcmp(header, CAPTURE_MAGIC_3, CAPTURE_MAGIC_SIZE) == 0)
        marked = CAPTURE_OLDEST_VERSION;
    if (size >= CAPTURE_MAGIC_SIZE && marked == 0) {
        snprintf(error, CAPTURE_ERROR,
                 "%s: a capture of another heapbook (format \"%.6s\"); this one reads formats "
                 "%d to %d: record it again with heapbook run",
                 c->file, (const char *)header, CAPTURE_OLDEST_VERSION, CAPTURE_VERSION);
        return false;
    }
    if (size < CAPTURE_FILE_HEADER) {
        snprintf(error, CAPTURE_ERROR,
                 "%s: truncated: the file header needs %d bytes, there are %zu", c->file,
                 CAPTURE_FILE_HEADER, size);
        return false;
    }
    uint32_t version = 0, compression = 0;
    for (int i = 3; i >= 0; i--) {
        version = version << 8 | header[8 + i];
        compression = compression << 8 | header[12 + i];
    }
    if (version != marked || compression != CAPTURE_COMPRESSION_ZSTD) {
        snprintf(error, CAPTURE_ERROR,
                 "%s: capture format version %u (compression %u) in a file marked \"%.6s\"; "
                 "this heapbook reads versions %d to %d",
                 c->file, version, compression, (const char *)header, CAPTURE_OLDEST_VERSION,
                 CAPTURE_VERSION);
        return false;
    }
    c->version = version;
    return true;
}

bool capture_open(const char *path, capture *c, char error[CAPTURE_ERROR]) {
    *c = (capture){.file = path, .pass = 1};
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(error, CAPTURE_ERROR, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    unsigned char header[CAPTURE_FILE_HEADER];
    ssize_t n = -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        snprintf(error, CAPTURE_ERROR, "%s: not a regular file", path);
    else if (fcntl(fd, F_SETFL, 0) != 0 || (n = read(fd, header, sizeof header)) < 0)
        snprintf(error, CAPTURE_ERROR, "%s: cannot read: %s", path, strerror(errno));
    else if (check_file_header(c, header, (size_t)n, error) && open_source(c, fd, NULL, 0, error))
        return true;
    close(fd);
    capture_close(c);
    return false;
}

bool capture_open_memory(const char *name, const unsigned char *data, size_t size, capture *c,
                         char error[CAPTURE_ERROR]) {
    *c = (capture){.file = name, .pass = 1};
    if (check_file_header(c, data, size, error) &&
        open_source(c, -1, data + CAPTURE_FILE_HEADER, size - CAPTURE_FILE_HEADER, error))
        return true;
    capture_close(c);
    return false;
}

bool capture_rewind(capture *c) {
    capture_source *s = c->source;
    if (s->fd >= 0 && lseek(s->fd, CAPTURE_FILE_HEADER, SEEK_SET) != CAPTURE_FILE_HEADER)
        return fail(c, "cannot read it again: %s", strerror(errno));
    ZSTD_DCtx_reset(s->zstd, ZSTD_reset_session_only);
    s->in = (ZSTD_inBuffer){0};
    s->input_done = s->frame_open = s->exhausted = false;
    s->start = s->end = 0;
    s->offset = 0;
    c->pass = 2;
    c->time_ns = 0;
    c->info_written = c->last_info = c->last_allocated = 0;
    s->past_end = false;
    s->group.entries = s->group.next = 0;
    return true;
}

void capture_close(capture *c) {
    if (c->source != NULL) {
        if (c->source->fd >= 0)
            close(c->source->fd);
        ZSTD_freeDCtx(c->source->zstd);
        free(c->source);
    }
    for (size_t i = 0; i < c->module_count; i++)
        free(c->modules[i].path);
    free(c->modules);
    free(c->module_index);
    free(c->frames);
    free(c->stack_first);
    free(c->stack_depth);
    free(c->info_size);
    free(c->info_stack);
    free(c->arguments);
    for (uint32_t i = 0; i < c->name_count; i++)
        free(c->names[i]);
    free(c->names);
    free(c->named);
    free(c->resolved);
    c->names = NULL;
    c->named = NULL;
    c->resolved = NULL;
    c->name_count = 0;
    c->named_count = c->resolved_count = 0;
    c->source = NULL;
    c->modules = NULL;
    c->module_index = NULL;
    c->frames = NULL;
    c->stack_first = NULL;
    c->stack_depth = NULL;
    c->info_size = NULL;
    c->info_stack = NULL;
    c->arguments = NULL;
}

/* ---- one record */

/* What a record's parse status means, as a sentence; false. */
static bool unreadable(capture *c, uint64_t offset, int tag, enum record_status status) {
    capture_source *s = c->source;
    switch (status) {
    case RECORD_SHORT:
        if (s->input_done && !s->frame_open)
            return fail(c, "truncated at byte %llu of its records: %s is cut short",
                        (unsigned long long)offset, record_name(tag));
        return fail(c, "corrupt at byte %llu of its records: %s longer than any heapbook writes",
                    (unsigned long long)offset, record_name(tag));
    case RECORD_LONG:
        return fail(c, "corrupt at byte %llu of its records: %s has a number longer than %d bytes",
                    (unsigned long long)offset, record_name(tag), CAPTURE_MAX_VARINT);
    case RECORD_TOO_LARGE:
        return fail(c,
                    "corrupt at byte %llu of its records: %s has a length or count beyond "
                    "what heapbook writes",
                    (unsigned long long)offset, record_name(tag));
    default:
        return fail(c, "corrupt at byte %llu of its records: unknown record type 0x%02x",
                    (unsigned long long)offset, tag);
    }
}

static bool corrupt(capture *c, uint64_t offset, const record *r, const char *what,
                    unsigned long long value) {
    return fail(c, "corrupt at byte %llu of its records: %s %s %llu", (unsigned long long)offset,
                record_name(r->tag), what, value);
}

static bool take_hello(capture *c, uint64_t offset, const record *r) {
    if (c->arguments != NULL && c->pass == 1)
        return fail(c, "corrupt at byte %llu of its records: a second hello record",
                    (unsigned long long)offset);
    if (r->number[0] > UINT32_MAX || r->number[1] > UINT32_MAX)
        return corrupt(c, offset, r, "names process", r->number[0]);
    char *arguments = malloc(r->text_length + 1);
    if (arguments == NULL)
        return fail(c, "out of memory");
    memcpy(arguments, r->text, r->text_length);
    arguments[r->text_length] = '\0';
    free(c->arguments);
    c->arguments = arguments;
    c->arguments_length = r->text_length;
    c->pid = (uint32_t)r->number[0];
    c->ppid = (uint32_t)r->number[1];
    c->start_wall_ns = r->wide[0];
    c->start_ns = r->wide[1];
    c->allocator = r->byte;
    return true;
}

/* In a second pass, what was kept from the first is checked, not kept
 * again: the file may have changed in between. */
static bool changed(capture *c) {
    return fail(c, "changed while it was being read: read it again");
}

static bool take_stack(capture *c, uint64_t offset, const record *r) {
    uint64_t id = r->number[0];
    if (c->pass > 1)
        return id <= c->stack_count || changed(c);
    if (id != (uint64_t)c->stack_count + 1)
        return fail(c, "corrupt at byte %llu of its records: stack %llu where stack %u was due",
                    (unsigned long long)offset, (unsigned long long)id, c->stack_count + 1);
    if (id > CAPTURE_MAX_STACKS || c->frame_count + r->depth > CAPTURE_MAX_FRAMES)
        return fail(c, "more call stacks than heapbook can read (at byte %llu of its records)",
                    (unsigned long long)offset);
    if (!array_grow((void **)&c->frames, &c->frame_capacity, c->frame_count + r->depth,
                    sizeof *c->frames) ||
        !array_grow((void **)&c->stack_first, &c->stack_capacity, id + 1, sizeof *c->stack_first) ||
        !array_grow((void **)&c->stack_depth, &c->depth_capacity, id + 1, sizeof *c->stack_depth))
        return fail(c, "out of memory reading stack %llu", (unsigned long long)id);
    if (r->depth > 0)
        memcpy(c->frames + c->frame_count, r->frames, r->depth * sizeof *r->frames);
    if (c->version >= CAPTURE_VERSION) /* each frame its difference from the one before */
        for (size_t i = c->frame_count; i < c->frame_count + r->depth; i++)
            c->frames[i] = record_address(i > 0 ? c->frames[i - 1] : 0, c->frames[i]);
    c->stack_first[id] = c->frame_count;
    c->stack_depth[id] = (uint16_t)r->depth;
    c->frame_count += r->depth;
    c->stack_count = (uint32_t)id;
    return true;
}

static bool take_info(capture *c, uint64_t offset, const record *r) {
    if (r->number[1] > c->stack_count)
        return corrupt(c, offset, r, "uses a stack never written:", r->number[1]);
    uint32_t next = c->info_written + 1;
    if (c->pass > 1) {
        if (next > c->info_count || c->info_size[next] != r->number[0] ||
            c->info_stack[next] != r->number[1])
            return changed(c);
        c->info_written = next;
        return true;
    }
    if (c->info_count == CAPTURE_MAX_INFOS)
        return fail(c,
                    "more (size, stack) pairs than heapbook can read (at byte %llu of its records)",
                    (unsigned long long)offset);
    if (!array_grow((void **)&c->info_size, &c->info_capacity, (size_t)next + 1,
                    sizeof *c->info_size) ||
        !array_grow((void **)&c->info_stack, &c->info_stack_capacity, (size_t)next + 1,
                    sizeof *c->info_stack))
        return fail(c, "out of memory reading the (size, stack) pairs");
    c->info_size[next] = r->number[0];
    c->info_stack[next] = (uint32_t)r->number[1];
    c->info_count = c->info_written = next;
    return true;
}

static bool same_module(const capture_module *m, const record *r) {
    return m->bias == r->number[0] && strlen(m->path) == r->text_length &&
           memcmp(m->path, r->text, r->text_length) == 0;
}

/* The modules by (bias, path), for the maps that list them again after
 * each dlopen: open addressing, twice as many slots as modules may be. */
enum { MODULE_SLOTS = 2 * CAPTURE_MAX_MODULES };

static size_t module_slot(const capture *c, const record *r) {
    uint64_t h = r->number[0] * UINT64_C(0x9E3779B97F4A7C15);
    for (size_t i = 0; i < r->text_length; i++)
        h = (h ^ r->text[i]) * UINT64_C(0x100000001b3);
    size_t slot = (size_t)(h >> 20) % MODULE_SLOTS;
    while (c->module_index[slot] != 0 && !same_module(&c->modules[c->module_index[slot] - 1], r))
        slot = (slot + 1) % MODULE_SLOTS;
    return slot;
}

static bool take_module(capture *c, uint64_t offset, const record *r) {
    if (r->text_length == 0 || memchr(r->text, '\0', r->text_length) != NULL)
        return corrupt(c, offset, r, "has a path of bytes:", r->text_length);
    if (c->module_index == NULL &&
        (c->module_index = calloc(MODULE_SLOTS, sizeof *c->module_index)) == NULL)
        return fail(c, "out of memory reading modules");
    size_t slot = module_slot(c, r);
    if (c->module_index[slot] != 0)
        return true; /* listed again by a later map */
    if (c->pass > 1)
        return changed(c);
    if (c->module_count == CAPTURE_MAX_MODULES)
        return fail(c, "more than %d modules (at byte %llu of its records)", CAPTURE_MAX_MODULES,
                    (unsigned long long)offset);
    capture_module m = {.bias = r->number[0],
                        .start = r->number[1],
                        .size = r->number[2],
                        .build_id_length = (unsigned)r->build_id_length};
    memcpy(m.build_id, r->build_id, r->build_id_length);
    if (!array_grow((void **)&c->modules, &c->module_capacity, c->module_count + 1,
                    sizeof *c->modules) ||
        (m.path = strndup((const char *)r->text, r->text_length)) == NULL)
        return fail(c, "out of memory reading modules");
    c->modules[c->module_count++] = m;
    c->module_index[slot] = (uint16_t)c->module_count;
    return true;
}

/* A name: `id` is the one an 'N' gives, or 0 for an 'n' (the next id). */
static bool take_name(capture *c, uint64_t offset, const record *r, uint64_t id) {
    if (c->pass > 1)
        return id <= c->name_count || changed(c);
    if (id == 0)
        id = (uint64_t)c->name_count + 1;
    if (id != (uint64_t)c->name_count + 1)
        return corrupt(c, offset, r, "has the id", id);
    if (c->name_count == CAPTURE_MAX_NAMES || memchr(r->text, '\0', r->text_length) != NULL)
        return corrupt(c, offset, r, "is name", id);
    char *name = strndup((const char *)r->text, r->text_length);
    if (name == NULL ||
        !array_grow((void **)&c->names, &c->name_capacity, c->name_count + 1, sizeof *c->names)) {
        free(name);
        return fail(c, "out of memory reading the frames' names");
    }
    c->names[c->name_count++] = name;
    return true;
}

static bool take_resolved(capture *c, uint64_t offset, const record *r) {
    if (c->pass > 1)
        return true; /* kept in the first */
    uint64_t previous = c->resolved_count > 0 ? c->resolved[c->resolved_count - 1].address : 0;
    /* From version 5 the address is the difference from the previous one. */
    uint64_t address = c->version >= CAPTURE_VERSION_5 ? previous + r->number[0] : r->number[0];
    if ((c->resolved_count > 0 || c->version >= CAPTURE_VERSION_5) && address <= previous)
        return corrupt(c, offset, r, "is out of order at address", address);
    if (c->named_count + r->number[1] > CAPTURE_MAX_FRAMES)
        return fail(c, "more named frames than heapbook can read (at byte %llu of its records)",
                    (unsigned long long)offset);
    if (!array_grow((void **)&c->resolved, &c->resolved_capacity, c->resolved_count + 1,
                    sizeof *c->resolved) ||
        !array_grow((void **)&c->named, &c->named_capacity, c->named_count + r->number[1],
                    sizeof *c->named))
        return fail(c, "out of memory reading the named frames");
    for (unsigned i = 0; i < r->number[1]; i++) {
        const uint64_t *n = &r->frames[i * CAPTURE_FRAME_NUMBERS];
        if (n[0] > c->name_count || n[1] > c->name_count || n[3] > c->name_count)
            return corrupt(c, offset, r, "uses a name never written, at address", address);
        if (n[2] > INT_MAX)
            return corrupt(c, offset, r, "has the line", n[2]);
        c->named[c->named_count + i] = (capture_named_frame){.function = (uint32_t)n[0],
                                                             .file = (uint32_t)n[1],
                                                             .line = (int)n[2],
                                                             .module = (uint32_t)n[3],
                                                             .offset = n[4]};
    }
    c->resolved[c->resolved_count++] =
        (capture_resolved){address, c->named_count, (unsigned)r->number[1]};
    c->named_count += r->number[1];
    return true;
}

/* An event naming an info: what the info is (0 in a short 'A' or 'F': the
 * previous one's). */
static bool take_event(capture *c, uint64_t offset, const record *r, capture_event *event) {
    uint64_t id = r->number[0];
    if (id == 0 && (r->tag == TAG_ALLOC || r->tag == TAG_FREE))
        id = c->last_info;
    if (id == 0 || id > c->info_written)
        return corrupt(c, offset, r, "uses a (size, stack) pair never written:", id);
    event->info = (uint32_t)id;
    if (r->tag == TAG_ALLOC || r->tag == TAG_FREE)
        c->last_info = (uint32_t)id;
    if (r->tag == TAG_ALLOC || r->tag == TAG_FREE)
        c->last_allocated = r->tag == TAG_ALLOC ? (uint32_t)id : 0;
    event->size = c->info_size[event->info];
    event->stack = c->info_stack[event->info];
    return true;
}

/* A 'G' (capture.h), kept to be handed out event by event: its ids
 * ascend, each of a pair written before, each count from 1 to
 * CAPTURE_GROUP_MAX_COUNT. */
static bool take_group(capture *c, uint64_t offset, const record *r) {
    if (c->version < CAPTURE_VERSION)
        return corrupt(c, offset, r, "is in a capture of version", c->version);
    if (r->byte >= CAPTURE_GROUP_KINDS)
        return corrupt(c, offset, r, "counts events of kind", r->byte);
    uint64_t id = 0;
    for (unsigned i = 0; i < r->number[0]; i++) {
        uint64_t gap = r->frames[2 * i], count = r->frames[2 * i + 1];
        if (gap == 0 || gap > c->info_written - id)
            return corrupt(c, offset, r, "uses a (size, stack) pair never written, after", id);
        id += gap;
        if (count == 0 || count > CAPTURE_GROUP_MAX_COUNT)
            return corrupt(c, offset, r, "counts", count);
        c->source->group.info[i] = (uint32_t)id;
        c->source->group.count[i] = (uint32_t)count;
    }
    c->source->group.entries = (unsigned)r->number[0];
    c->source->group.next = 0;
    c->source->group.left = c->source->group.count[0];
    c->source->group.kind = r->byte;
    c->source->group.freeing = false;
    c->last_info = c->last_allocated = 0; /* as heapbook run wrote it: no event is "the previous" */
    return true;
}

/* The next event of the group being handed out, if any is left. */
static bool group_event(capture *c, capture_event *event) {
    pending_group *g = &c->source->group;
    if (g->next == g->entries)
        return false;
    uint32_t id = g->info[g->next];
    bool is_free = g->kind == CAPTURE_GROUP_FREES || g->freeing;
    *event = (capture_event){.tag = is_free ? TAG_FREE : TAG_ALLOC,
                             .time_ns = c->time_ns,
                             .info = id,
                             .size = c->info_size[id],
                             .stack = c->info_stack[id],
                             .temporary = g->freeing && g->kind == CAPTURE_GROUP_TEMPORARIES};
    if ((g->kind == CAPTURE_GROUP_TEMPORARIES || g->kind == CAPTURE_GROUP_PASSING) && !g->freeing) {
        g->freeing = true; /* its free next */
        return true;
    }
    g->freeing = false;
    if (--g->left == 0 && ++g->next < g->entries)
        g->left = g->count[g->next];
    return true;
}

/* Reads the record at the window's start; true with *handed set if it is
 * one capture_next() hands out, in *event. */
static bool read_record(capture *c, capture_event *event, bool *handed) {
    capture_source *s = c->source;
    uint64_t offset = s->offset;
    record r;
    enum record_status status =
        record_parse(s->window + s->start, s->window + s->end, FROM_CAPTURE, &r);
    if (status != RECORD_OK)
        return unreadable(c, offset, s->window[s->start], status);
    *handed = false;
    if (r.tag != TAG_HELLO && c->arguments == NULL)
        return fail(c, "corrupt: its records do not begin with the hello record");
    if (c->source->past_end && r.tag != TAG_SAMPLE && r.tag != TAG_MODULE && r.tag != TAG_NAME &&
        r.tag != TAG_NAME_TEXT && r.tag != TAG_RESOLVED)
        return fail(c, "corrupt at byte %llu of its records: %s after the end record",
                    (unsigned long long)offset, record_name(r.tag));
    *event = (capture_event){.tag = (enum capture_tag)r.tag, .time_ns = c->time_ns};
    bool ok = true;
    switch (r.tag) {
    case TAG_HELLO:
        ok = take_hello(c, offset, &r);
        break;
    case TAG_TIME:
        c->time_ns =
            r.number[0] > MAX_TIME_NS - c->time_ns ? MAX_TIME_NS : c->time_ns + r.number[0];
        break;
    case TAG_STACK:
        ok = take_stack(c, offset, &r);
        break;
    case TAG_INFO:
        ok = take_info(c, offset, &r);
        break;
    case TAG_ALLOC:
    case TAG_FREE:
    case TAG_KEPT:
    case TAG_BUFFER:
        ok = *handed = take_event(c, offset, &r, event);
        break;
    case TAG_MODULE:
        ok = take_module(c, offset, &r);
        break;
    case TAG_END:
        c->ended = s->past_end = true;
        break;
    case TAG_SAMPLE:
        event->time_ns = r.wide[0] > c->start_ns ? r.wide[0] - c->start_ns : 0;
        if (event->time_ns > MAX_TIME_NS)
            event->time_ns = MAX_TIME_NS;
        event->rss = r.number[0];
        *handed = true;
        break;
    case TAG_TEMPORARY:
        if (c->last_allocated == 0)
            return fail(c,
                        "corrupt at byte %llu of its records: a temporary free that does not "
                        "follow an allocation",
                        (unsigned long long)offset);
        event->tag = TAG_FREE;
        event->temporary = *handed = true;
        event->info = c->last_info = c->last_allocated;
        event->size = c->info_size[event->info];
        event->stack = c->info_stack[event->info];
        c->last_allocated = 0;
        break;
    case TAG_NAME:
        ok = take_name(c, offset, &r, r.number[0]);
        break;
    case TAG_NAME_TEXT:
        ok = take_name(c, offset, &r, 0);
        break;
    case TAG_RESOLVED:
        ok = take_resolved(c, offset, &r);
        break;
    case TAG_GROUP:
        ok = take_group(c, offset, &r);
        break;
    case TAG_ENDED:
        if (r.byte < CAPTURE_ENDED_SIGNAL || r.byte > CAPTURE_ENDED_LOST)
            return corrupt(c, offset, &r, "says the process ended in way", r.byte);
        c->ended_kind = r.byte;
        c->ended_value = r.number[0];
        break;
    }
    s->start += r.length;
    s->offset += r.length;
    return ok;
}

/* The short 'A' and 'F' (capture.h), most of a capture, read here rather
 * than by record_parse() and read_record(), as they would read them.
 * False for them to take it: anything else, or anything wrong with it. */
static bool short_event(capture *c, capture_event *event) {
    capture_source *s = c->source;
    const unsigned char *p = s->window + s->start, *at = p;
    uint64_t id;
    bool is_free;
    if (s->past_end || !record_short_event(&at, s->window + s->end, &id, &is_free))
        return false;
    if (id == 0)
        id = c->last_info;
    if (id == 0 || id > c->info_written)
        return false;
    *event = (capture_event){.tag = is_free ? TAG_FREE : TAG_ALLOC,
                             .time_ns = c->time_ns,
                             .info = (uint32_t)id,
                             .size = c->info_size[id],
                             .stack = c->info_stack[id]};
    c->last_info = (uint32_t)id;
    c->last_allocated = is_free ? 0 : (uint32_t)id;
    s->offset += (size_t)(at - p);
    s->start += (size_t)(at - p);
    return true;
}

bool capture_next(capture *c, capture_event *event) {
    if (group_event(c, event))
        return true;
    while (!c->failed && fill(c, CAPTURE_MAX_RECORD) && c->source->start < c->source->end) {
        bool handed = false;
        if (short_event(c, event))
            return true;
        if (!read_record(c, event, &handed))
            return false;
        if (handed || group_event(c, event))
            return true;
    }
    if (!c->failed && c->arguments == NULL)
        return fail(c, "truncated: it holds no records (the program was not recorded)");
    return false;
}

const capture_resolved *capture_resolved_of(const capture *c, uint64_t address) {
    size_t low = 0, high = c->resolved_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (c->resolved[middle].address < address)
            low = middle + 1;
        else
            high = middle;
    }
    return low < c->resolved_count && c->resolved[low].address == address ? &c->resolved[low]
                                                                          : NULL;
}

const capture_module *capture_module_of(const capture *c, uint64_t address) {
    for (size_t i = 0; i < c->module_count; i++) {
        const capture_module *m = &c->modules[i];
        uint64_t offset = address - m->bias;
        if (address >= m->bias && offset >= m->start && offset - m->start < m->size)
            return m;
    }
    return NULL;
}

void capture_command(const capture *c, char *text, size_t size) {
    size_t n = 0;
    for (size_t i = 0; i < c->arguments_length && n + 1 < size; i++) {
        char ch = c->arguments[i];
        if (ch == '\0')
            ch = i + 1 < c->arguments_length ? ' ' : '\0';
        if (ch != '\0')
            text[n++] = ch;
    }
    if (size > 0)
        text[n] = '\0';
}
