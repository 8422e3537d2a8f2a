#include "capture_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint16_t get_u16(const unsigned char *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t get_u32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t get_u64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static bool fail(char error[CAPTURE_ERROR], const char *file, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char error[CAPTURE_ERROR], const char *file, const char *format, ...) {
    int n = snprintf(error, CAPTURE_ERROR, "%s: ", file);
    va_list args;
    va_start(args, format);
    if (n > 0 && n < CAPTURE_ERROR)
        vsnprintf(error + n, CAPTURE_ERROR - (size_t)n, format, args);
    va_end(args);
    return false;
}

static const char *record_name(int tag) {
    switch (tag) {
    case TAG_STACK:
        return "a stack record";
    case TAG_ALLOC:
        return "an allocation record";
    case TAG_FREE:
        return "a free record";
    case TAG_SAMPLE:
        return "a sample record";
    case TAG_MODULE:
        return "a module record";
    case TAG_MODULE_MAP:
        return "a module map record";
    case TAG_END:
        return "the end record";
    default:
        return "a record";
    }
}

/* The fixed part of each record after its tag; 0 for an unknown tag. */
static size_t fixed_size(int tag) {
    switch (tag) {
    case TAG_STACK:
        return 4 + 2;
    case TAG_ALLOC:
        return 8 + 8 + 8 + 4;
    case TAG_FREE:
        return 8 + 8;
    case TAG_SAMPLE:
        return 8 + 8 + 8;
    case TAG_MODULE:
        return 8 + 2;
    case TAG_MODULE_MAP:
        return 8;
    case TAG_END:
        return 8;
    default:
        return 0;
    }
}

static bool grow(void **array, size_t *capacity, size_t needed, size_t item) {
    if (needed <= *capacity)
        return true;
    size_t n = *capacity ? *capacity * 2 : 1024;
    while (n < needed)
        n *= 2;
    void *grown = realloc(*array, n * item);
    if (grown == NULL)
        return false;
    *array = grown;
    *capacity = n;
    return true;
}

static bool read_header(capture *c, char error[CAPTURE_ERROR]) {
    enum { FIXED = CAPTURE_MAGIC_SIZE + 4 + 4 + 8 + 4 };
    if (c->size < CAPTURE_MAGIC_SIZE || memcmp(c->data, CAPTURE_MAGIC, CAPTURE_MAGIC_SIZE) != 0)
        return fail(error, c->file, "not a heapbook capture (it does not start with \"HBCAP1\")");
    if (c->size < FIXED)
        return fail(error, c->file, "truncated at byte %zu: the header needs %d bytes", c->size,
                    FIXED);
    uint32_t version = get_u32(c->data + 8);
    if (version != CAPTURE_VERSION)
        return fail(error, c->file, "capture format version %u; this heapbook reads version %d",
                    version, CAPTURE_VERSION);
    c->pid = get_u32(c->data + 12);
    c->start_time_ns = get_u64(c->data + 16);
    c->arguments_length = get_u32(c->data + 24);
    if (c->arguments_length > CAPTURE_MAX_ARGUMENTS)
        return fail(error, c->file, "corrupt at byte 24: a command line of %u bytes",
                    c->arguments_length);
    if (c->size - FIXED < c->arguments_length)
        return fail(error, c->file,
                    "truncated at byte %zu: the command line needs %u bytes from byte %d", c->size,
                    c->arguments_length, FIXED);
    c->arguments = (const char *)c->data + FIXED;
    c->records_start = FIXED + c->arguments_length;
    return true;
}

/* Checks the record at `offset` and takes note of it; sets *size. */
/* Capacities of the arrays capture_open() grows while it reads. */
typedef struct capacities {
    size_t stacks, depths, modules;
} capacities;

static bool check_record(capture *c, size_t offset, size_t *size, capacities *room,
                         char error[CAPTURE_ERROR]) {
    int tag = c->data[offset];
    size_t fixed = fixed_size(tag);
    if (fixed == 0)
        return fail(error, c->file, "corrupt at byte %zu: unknown record type 0x%02x", offset, tag);
    size_t left = c->size - offset - 1;
    if (left < fixed)
        return fail(error, c->file, "truncated at byte %zu: %s needs %zu bytes, %zu are left",
                    offset, record_name(tag), fixed + 1, left + 1);
    const unsigned char *p = c->data + offset + 1;
    size_t extra = 0;
    switch (tag) {
    case TAG_STACK: {
        uint32_t id = get_u32(p);
        uint16_t depth = get_u16(p + 4);
        if (id != c->stack_count + 1)
            return fail(error, c->file, "corrupt at byte %zu: stack %u where stack %u was due",
                        offset, id, c->stack_count + 1);
        if (depth > CAPTURE_MAX_DEPTH)
            return fail(error, c->file, "corrupt at byte %zu: a stack %u frames deep", offset,
                        depth);
        extra = (size_t)depth * 8;
        if (!grow((void **)&c->stacks, &room->stacks, (size_t)id + 1, sizeof *c->stacks) ||
            !grow((void **)&c->stack_depths, &room->depths, (size_t)id + 1,
                  sizeof *c->stack_depths))
            return fail(error, c->file, "out of memory reading stack %u", id);
        c->stacks[id] = p + 6;
        c->stack_depths[id] = depth;
        c->stack_count = id;
        break;
    }
    case TAG_ALLOC: {
        uint32_t stack = get_u32(p + 24);
        if (stack > c->stack_count)
            return fail(error, c->file,
                        "corrupt at byte %zu: an allocation refers to stack %u, "
                        "which was never written",
                        offset, stack);
        c->allocations++;
        break;
    }
    case TAG_FREE:
        c->frees++;
        break;
    case TAG_SAMPLE:
        c->samples++;
        break;
    case TAG_MODULE: {
        uint16_t length = get_u16(p + 8);
        extra = length;
        if (length == 0 || length > CAPTURE_MAX_PATH)
            return fail(error, c->file, "corrupt at byte %zu: a module path of %u bytes", offset,
                        length);
        if (!grow((void **)&c->modules, &room->modules, c->module_count + 1, sizeof *c->modules))
            return fail(error, c->file, "out of memory reading modules");
        c->modules[c->module_count++] = (capture_module){
            .path = (const char *)p + 10, .path_length = length, .bias = get_u64(p)};
        break;
    }
    case TAG_MODULE_MAP:
        c->module_count = 0;
        break;
    case TAG_END:
        c->ended = true;
        break;
    }
    if (left - fixed < extra)
        return fail(error, c->file, "truncated at byte %zu: %s needs %zu bytes, %zu are left",
                    offset, record_name(tag), fixed + extra + 1, left + 1);
    if (tag != TAG_STACK && tag != TAG_MODULE)
        c->end_time_ns = get_u64(p);
    *size = 1 + fixed + extra;
    return true;
}

/* Checks the header and every record of c->data. */
static bool check_all(capture *c, char error[CAPTURE_ERROR]) {
    if (!read_header(c, error))
        return false;
    capacities room = {0};
    for (size_t offset = c->records_start, size = 0; offset < c->size; offset += size) {
        if (c->ended)
            return fail(error, c->file, "corrupt at byte %zu: records after the end record",
                        offset);
        if (!check_record(c, offset, &size, &room, error))
            return false;
    }
    return true;
}

bool capture_read_memory(const char *name, const unsigned char *data, size_t size, capture *c,
                         char error[CAPTURE_ERROR]) {
    memset(c, 0, sizeof *c);
    c->file = name;
    c->data = data;
    c->size = size;
    if (check_all(c, error))
        return true;
    capture_close(c);
    return false;
}

bool capture_open(const char *path, capture *c, char error[CAPTURE_ERROR]) {
    memset(c, 0, sizeof *c);
    c->file = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(error, path, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(error, path, "not a regular file");
    }
    c->size = (size_t)st.st_size;
    if (c->size > 0) {
        void *mapped = mmap(NULL, c->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapped == MAP_FAILED) {
            close(fd);
            return fail(error, path, "cannot map: %s", strerror(errno));
        }
        c->data = mapped;
        c->mapped = true;
    }
    close(fd);
    if (check_all(c, error))
        return true;
    capture_close(c);
    return false;
}

void capture_close(capture *c) {
    if (c->mapped)
        munmap((void *)c->data, c->size);
    free(c->stacks);
    free(c->stack_depths);
    free(c->modules);
    c->data = NULL;
    c->stacks = NULL;
    c->stack_depths = NULL;
    c->modules = NULL;
}

uint64_t capture_frame(const capture *c, uint32_t id, unsigned i) {
    return get_u64(c->stacks[id] + (size_t)i * 8);
}

capture_cursor capture_begin(const capture *c) {
    return (capture_cursor){.offset = c->records_start};
}

bool capture_next(const capture *c, capture_cursor *cursor, capture_event *event) {
    while (cursor->offset < c->size) {
        const unsigned char *r = c->data + cursor->offset;
        const unsigned char *p = r + 1;
        size_t size = 1 + fixed_size(*r);
        switch (*r) {
        case TAG_STACK:
            size += (size_t)get_u16(p + 4) * 8;
            break;
        case TAG_MODULE:
            size += get_u16(p + 8);
            break;
        default:
            break;
        }
        cursor->offset += size;
        switch (*r) {
        case TAG_ALLOC:
            *event = (capture_event){.tag = TAG_ALLOC,
                                     .time_ns = get_u64(p),
                                     .address = get_u64(p + 8),
                                     .size = get_u64(p + 16),
                                     .stack = get_u32(p + 24)};
            return true;
        case TAG_FREE:
            *event =
                (capture_event){.tag = TAG_FREE, .time_ns = get_u64(p), .address = get_u64(p + 8)};
            return true;
        case TAG_SAMPLE:
            *event = (capture_event){.tag = TAG_SAMPLE,
                                     .time_ns = get_u64(p),
                                     .heap = get_u64(p + 8),
                                     .rss = get_u64(p + 16)};
            return true;
        default:
            break;
        }
    }
    return false;
}

void capture_command(const capture *c, char *text, size_t size) {
    size_t n = 0;
    for (uint32_t i = 0; i < c->arguments_length && n + 1 < size; i++) {
        char ch = c->arguments[i];
        if (ch == '\0')
            ch = i + 1 < c->arguments_length ? ' ' : '\0';
        if (ch != '\0')
            text[n++] = ch;
    }
    text[n] = '\0';
}
