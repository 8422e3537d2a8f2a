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

enum varint_status { VARINT_OK, VARINT_SHORT, VARINT_LONG };

/* The varint at p, of which `left` bytes are in the file; *length: its
 * bytes (or, cut short, the bytes there are). */
static enum varint_status get_varint(const unsigned char *p, size_t left, uint64_t *value,
                                     size_t *length) {
    uint64_t v = 0;
    for (size_t i = 0; i < CAPTURE_MAX_VARINT; i++) {
        if (i == left) {
            *length = i;
            return VARINT_SHORT;
        }
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if ((p[i] & 0x80) == 0) {
            *value = v;
            *length = i + 1;
            return VARINT_OK;
        }
    }
    *length = CAPTURE_MAX_VARINT;
    return VARINT_LONG;
}

/* A varint of a record already checked. */
static uint64_t next_varint(const unsigned char **p) {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        unsigned char byte = *(*p)++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0 || shift >= 7 * (CAPTURE_MAX_VARINT - 1))
            return v;
    }
}

static uint64_t unzigzag(uint64_t v) { return (v >> 1) ^ (0 - (v & 1)); }

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

/* The fixed part of each record after its tag, or for 'A' and 'F' the
 * least their varints take (a byte each); 0 for an unknown tag. */
static size_t fixed_size(int tag) {
    switch (tag) {
    case TAG_STACK:
        return 4 + 2;
    case TAG_ALLOC:
        return 4;
    case TAG_FREE:
        return 2;
    case TAG_SAMPLE:
        return 8 + 8 + 8 + 8;
    case TAG_MODULE:
        return 8 + 2;
    case TAG_MODULE_MAP:
        return 8 + 8;
    case TAG_END:
        return 8 + 8;
    default:
        return 0;
    }
}

/* The varints of an 'A' (4) or 'F' (2) record at `offset`: checks them,
 * and the stack id; sets *size to the record's bytes. */
static bool check_event(capture *c, size_t offset, int tag, size_t *size,
                        char error[CAPTURE_ERROR]) {
    unsigned count = tag == TAG_ALLOC ? 4 : 2;
    uint64_t values[4] = {0};
    size_t at = offset + 1;
    for (unsigned i = 0; i < count; i++) {
        size_t length;
        switch (get_varint(c->data + at, c->size - at, &values[i], &length)) {
        case VARINT_OK:
            at += length;
            break;
        case VARINT_SHORT:
            return fail(error, c->file,
                        "truncated at byte %zu: %s needs at least %zu bytes, %zu are left", offset,
                        record_name(tag), at - offset + length + 1 + (count - 1 - i),
                        c->size - offset);
        case VARINT_LONG:
            return fail(error, c->file, "corrupt at byte %zu: %s has a number longer than %d bytes",
                        offset, record_name(tag), CAPTURE_MAX_VARINT);
        }
    }
    c->last_event_ticks += unzigzag(values[0]);
    if (tag == TAG_ALLOC) {
        if (values[3] > c->stack_count)
            return fail(error, c->file,
                        "corrupt at byte %zu: an allocation refers to stack %llu, "
                        "which was never written",
                        offset, (unsigned long long)values[3]);
        c->allocations++;
    } else {
        c->frees++;
    }
    *size = at - offset;
    return true;
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
    size_t stacks, depths, modules, clocks;
} capacities;

/* 'M', 'l' and 'E' give the time in both clocks: a point of the line that
 * turns ticks into nanoseconds. */
static bool add_clock(capture *c, const unsigned char *p, capacities *room) {
    if (!grow((void **)&c->clocks, &room->clocks, c->clock_count + 1, sizeof *c->clocks))
        return false;
    c->clocks[c->clock_count++] = (capture_clock){.ns = get_u64(p), .ticks = get_u64(p + 8)};
    return true;
}

static bool check_record(capture *c, size_t offset, size_t *size, capacities *room,
                         char error[CAPTURE_ERROR]) {
    int tag = c->data[offset];
    size_t fixed = fixed_size(tag);
    if (fixed == 0)
        return fail(error, c->file, "corrupt at byte %zu: unknown record type 0x%02x", offset, tag);
    size_t left = c->size - offset - 1;
    if (left < fixed)
        return fail(error, c->file, "truncated at byte %zu: %s needs %s%zu bytes, %zu are left",
                    offset, record_name(tag),
                    tag == TAG_ALLOC || tag == TAG_FREE ? "at least " : "", fixed + 1, left + 1);
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
    case TAG_ALLOC:
    case TAG_FREE:
        return check_event(c, offset, tag, size, error);
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
    if ((tag == TAG_SAMPLE || tag == TAG_MODULE_MAP || tag == TAG_END) && !add_clock(c, p, room))
        return fail(error, c->file, "out of memory reading the clock records");
    if (left - fixed < extra)
        return fail(error, c->file, "truncated at byte %zu: %s needs %zu bytes, %zu are left",
                    offset, record_name(tag), fixed + extra + 1, left + 1);
    if (tag == TAG_SAMPLE || tag == TAG_MODULE_MAP || tag == TAG_END)
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
    /* A capture cut short (no 'E') has events past its last clock record. */
    if (c->allocations + c->frees > 0) {
        size_t segment = 0;
        uint64_t last = capture_ticks_to_ns(c, c->last_event_ticks, &segment);
        if (last > c->end_time_ns)
            c->end_time_ns = last;
    }
    return true;
}

uint64_t capture_ticks_to_ns(const capture *c, uint64_t ticks, size_t *segment) {
    size_t n = c->clock_count;
    if (n == 0)
        return 0;
    if (n == 1)
        return c->clocks[0].ns;
    size_t i = *segment < n - 1 ? *segment : 0;
    while (i + 2 < n && ticks >= c->clocks[i + 1].ticks)
        i++;
    while (i > 0 && ticks < c->clocks[i].ticks)
        i--;
    *segment = i;
    const capture_clock *a = &c->clocks[i], *b = &c->clocks[i + 1];
    if (ticks <= a->ticks || b->ticks <= a->ticks)
        return a->ns;
    /* In double: a damaged capture must give a wrong time, not overflow. */
    double ns = (double)a->ns + (double)(ticks - a->ticks) * ((double)b->ns - (double)a->ns) /
                                    (double)(b->ticks - a->ticks);
    if (!(ns > 0))
        return 0;
    return ns < 9.2e18 ? (uint64_t)ns : UINT64_C(9200000000000000000);
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
    free(c->clocks);
    c->clocks = NULL;
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
        switch (*r) {
        case TAG_ALLOC:
        case TAG_FREE: {
            cursor->ticks += unzigzag(next_varint(&p));
            cursor->address += unzigzag(next_varint(&p));
            *event =
                (capture_event){.tag = (enum capture_tag) * r,
                                .time_ns = capture_ticks_to_ns(c, cursor->ticks, &cursor->segment),
                                .address = cursor->address};
            if (*r == TAG_ALLOC) {
                event->size = next_varint(&p);
                event->stack = (uint32_t)next_varint(&p);
            }
            cursor->offset = (size_t)(p - c->data);
            return true;
        }
        case TAG_STACK:
            cursor->offset += 1 + fixed_size(*r) + (size_t)get_u16(p + 4) * 8;
            break;
        case TAG_MODULE:
            cursor->offset += 1 + fixed_size(*r) + get_u16(p + 8);
            break;
        case TAG_SAMPLE:
            cursor->offset += 1 + fixed_size(*r);
            *event = (capture_event){.tag = TAG_SAMPLE,
                                     .time_ns = get_u64(p),
                                     .heap = get_u64(p + 16),
                                     .rss = get_u64(p + 24)};
            return true;
        default:
            cursor->offset += 1 + fixed_size(*r);
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
