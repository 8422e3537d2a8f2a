/* frame_names.c: the frames' names into a capture (frame_names.h). */
#include "frame_names.h"

#include "index_map.h"
#include "symbols.h"

#include <stdlib.h>
#include <string.h>

enum {
    /* Flushed when this full; one more record of any kind still fits. */
    BUFFER_BYTES = 64 * 1024,
    LONGEST_RECORD = 2 + 4 * CAPTURE_MAX_VARINT + CAPTURE_MAX_BUILD_ID + CAPTURE_MAX_PATH +
                     CAPTURE_MAX_NAME +
                     CAPTURE_MAX_INLINED * CAPTURE_FRAME_NUMBERS * CAPTURE_MAX_VARINT,
};

typedef struct writer {
    /* The names written so far, by the pointer symbols.h hands out (the
     * same pointer for equal strings). */
    index_map names;
    transcoder_sink *sink;
    void *context;
    uint64_t last_address; /* of the last 'R': the next one is written from it */
    unsigned char buffer[BUFFER_BYTES + LONGEST_RECORD];
    size_t used;
} writer;

static uint64_t pointer_hash(const void *name) {
    return ((uintptr_t)name * UINT64_C(0x9E3779B97F4A7C15)) >> 20;
}

static bool same_pointer(const void *a, const void *b) { return a == b; }

static void flush(writer *w) {
    if (w->used > 0)
        w->sink(w->context, w->buffer, w->used);
    w->used = 0;
}

/* The id of `name`, writing its 'n' the first time; 0 for "" and "??"
 * (none, and unknown), and UINT32_MAX if memory runs out. */
static uint32_t name_id(writer *w, const char *name) {
    if (name[0] == '\0' || strcmp(name, "??") == 0)
        return 0;
    uint32_t id;
    bool added;
    if (!index_map_get(&w->names, name, (uint32_t)w->names.count + 1, &id, &added))
        return UINT32_MAX;
    if (added) {
        size_t length = strnlen(name, CAPTURE_MAX_NAME);
        unsigned char *p = w->buffer + w->used;
        *p++ = TAG_NAME_TEXT;
        memcpy(p, name, length);
        p[length] = '\0';
        w->used = (size_t)(p + length + 1 - w->buffer);
        if (w->used >= BUFFER_BYTES)
            flush(w);
    }
    return id;
}

/* The 'R' of one address; false if memory runs out. */
static bool write_resolved(writer *w, uint64_t address, const frame_info *frames, size_t count) {
    uint32_t ids[CAPTURE_MAX_INLINED][3];
    if (count > CAPTURE_MAX_INLINED)
        count = CAPTURE_MAX_INLINED;
    for (size_t i = 0; i < count; i++) {
        ids[i][0] = name_id(w, frames[i].function);
        ids[i][1] = name_id(w, frames[i].file);
        ids[i][2] = name_id(w, frames[i].module);
        if (ids[i][0] == UINT32_MAX || ids[i][1] == UINT32_MAX || ids[i][2] == UINT32_MAX)
            return false;
    }
    unsigned char *p = w->buffer + w->used;
    *p++ = TAG_RESOLVED;
    p = capture_put_varint(p, address - w->last_address);
    w->last_address = address;
    p = capture_put_varint(p, count);
    for (size_t i = 0; i < count; i++) {
        p = capture_put_varint(p, ids[i][0]);
        p = capture_put_varint(p, ids[i][1]);
        p = capture_put_varint(p, frames[i].line > 0 ? (uint64_t)frames[i].line : 0);
        p = capture_put_varint(p, ids[i][2]);
        p = capture_put_varint(p, frames[i].offset);
    }
    w->used = (size_t)(p - w->buffer);
    if (w->used >= BUFFER_BYTES)
        flush(w);
    return true;
}

/* True if a frame at one of `addresses` (ascending) is in `m`. */
static bool holds_a_frame(const capture_module *m, const uint64_t *addresses, size_t count) {
    uint64_t start = m->bias + m->start; /* addresses are return addresses: the call is before */
    size_t low = 0, high = count;        /* the first address past the module's start */
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (addresses[middle] - 1 < start)
            low = middle + 1;
        else
            high = middle;
    }
    return low < count && addresses[low] - 1 - start < m->size;
}

/* The 'L' of every module a frame is in (of all if `addresses` is NULL). */
static void write_modules(writer *w, const capture_module *modules, size_t module_count,
                          const uint64_t *addresses, size_t count) {
    for (size_t i = 0; i < module_count; i++) {
        const capture_module *m = &modules[i];
        if (addresses != NULL && !holds_a_frame(m, addresses, count))
            continue;
        size_t length = strnlen(m->path, CAPTURE_MAX_PATH);
        unsigned char *p = w->buffer + w->used;
        *p++ = TAG_MODULE;
        p = capture_put_varint(p, m->bias);
        p = capture_put_varint(p, m->start);
        p = capture_put_varint(p, m->size);
        *p++ = (unsigned char)m->build_id_length;
        memcpy(p, m->build_id, m->build_id_length);
        p = capture_put_varint(p + m->build_id_length, length);
        memcpy(p, m->path, length);
        w->used = (size_t)(p + length - w->buffer);
        if (w->used >= BUFFER_BYTES)
            flush(w);
    }
}

bool frame_names_write(const char *capture_name, const capture_module *modules, size_t module_count,
                       const uint64_t *addresses, size_t count, transcoder_sink *sink,
                       void *context) {
    /* symbols.h reads a capture's modules: these, as the reader keeps them. */
    capture stub = {
        .file = capture_name, .modules = (capture_module *)modules, .module_count = module_count};
    symbols *s = symbols_open(&stub);
    writer *w = calloc(1, sizeof *w);
    bool ok = s != NULL && w != NULL;
    if (w != NULL) {
        w->sink = sink;
        w->context = context;
        write_modules(w, modules, module_count, addresses, count);
        flush(w);
    }
    ok = ok && addresses != NULL;
    if (ok) {
        w->names = (index_map){.hash = pointer_hash, .equal = same_pointer};
        for (size_t i = 0; ok && i < count; i++) {
            const frame_info *frames;
            size_t n = symbols_lookup(s, addresses[i], &frames);
            ok = write_resolved(w, addresses[i], frames, n);
        }
        flush(w);
        index_map_free(&w->names, NULL);
    }
    free(w);
    symbols_close(s);
    return ok;
}
