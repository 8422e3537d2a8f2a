/* export_pprof.c: protobuf by hand (export_pprof.h).  Only what
 * profile.proto uses is written: varints (wire type 0) and length-
 * delimited fields (wire type 2: strings, packed numbers, messages). */
#include "export_pprof.h"

#include "addrmap.h"
#include "array.h"
#include "index_map.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* profile.proto's field numbers. */
enum {
    PROFILE_SAMPLE_TYPE = 1,
    PROFILE_SAMPLE = 2,
    PROFILE_MAPPING = 3,
    PROFILE_LOCATION = 4,
    PROFILE_FUNCTION = 5,
    PROFILE_STRING_TABLE = 6,
    PROFILE_TIME_NANOS = 9,
    PROFILE_DURATION_NANOS = 10,
    PROFILE_COMMENT = 13,
    PROFILE_DEFAULT_SAMPLE_TYPE = 14,
    VALUE_TYPE_TYPE = 1,
    VALUE_TYPE_UNIT = 2,
    SAMPLE_LOCATION_ID = 1,
    SAMPLE_VALUE = 2,
    MAPPING_ID = 1,
    MAPPING_MEMORY_START = 2,
    MAPPING_MEMORY_LIMIT = 3,
    MAPPING_FILENAME = 5,
    MAPPING_BUILD_ID = 6,
    MAPPING_HAS_FUNCTIONS = 7,
    MAPPING_HAS_FILENAMES = 8,
    MAPPING_HAS_LINE_NUMBERS = 9,
    MAPPING_HAS_INLINE_FRAMES = 10,
    LOCATION_ID = 1,
    LOCATION_MAPPING_ID = 2,
    LOCATION_ADDRESS = 3,
    LOCATION_LINE = 4,
    LINE_FUNCTION_ID = 1,
    LINE_LINE = 2,
    FUNCTION_ID = 1,
    FUNCTION_NAME = 2,
    FUNCTION_SYSTEM_NAME = 3,
    FUNCTION_FILENAME = 4,
    WIRE_VARINT = 0,
    WIRE_BYTES = 2,
};

/* ---- a growing byte buffer */

typedef struct buffer {
    unsigned char *bytes;
    size_t used, capacity;
    bool failed; /* memory ran out: the rest is not written */
} buffer;

static void put(buffer *b, const void *data, size_t size) {
    if (b->failed || size == 0)
        return;
    if (!array_grow((void **)&b->bytes, &b->capacity, b->used + size, 1)) {
        b->failed = true;
        return;
    }
    memcpy(b->bytes + b->used, data, size);
    b->used += size;
}

static void put_varint(buffer *b, uint64_t v) {
    unsigned char bytes[10];
    size_t n = 0;
    while (v >= 0x80) {
        bytes[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    bytes[n++] = (unsigned char)v;
    put(b, bytes, n);
}

/* A varint field; proto3 leaves out zero, its default. */
static void field_varint(buffer *b, unsigned field, uint64_t v) {
    if (v == 0)
        return;
    put_varint(b, (uint64_t)field << 3 | WIRE_VARINT);
    put_varint(b, v);
}

static void field_bytes(buffer *b, unsigned field, const void *data, size_t size) {
    put_varint(b, (uint64_t)field << 3 | WIRE_BYTES);
    put_varint(b, size);
    put(b, data, size);
}

/* A message field: `message` (built apart) appended, then emptied. */
static void field_message(buffer *b, unsigned field, buffer *message) {
    b->failed |= message->failed;
    field_bytes(b, field, message->bytes, message->used);
    message->used = 0;
}

/* ---- the string table, each string once */

typedef struct strings {
    buffer table; /* the Profile's string_table fields, in order */
    index_map index;
} strings;

static uint64_t text_hash(const void *text) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *c = text; *c; c++)
        h = (h ^ *c) * UINT64_C(0x100000001b3);
    return h;
}

static bool same_text(const void *a, const void *b) { return strcmp(a, b) == 0; }

/* The index of `text` in the string table, adding it the first time. */
static uint32_t string_index(strings *s, const char *text) {
    char *kept = strdup(text);
    uint32_t index = 0;
    bool added = false;
    if (kept == NULL || !index_map_get(&s->index, kept, (uint32_t)s->index.count, &index, &added))
        s->table.failed = true;
    if (added)
        field_bytes(&s->table, PROFILE_STRING_TABLE, text, strlen(text));
    else
        free(kept);
    return index;
}

static void free_text(const void *text) { free((void *)text); }

static void strings_free(strings *s) {
    index_map_free(&s->index, free_text);
    free(s->table.bytes);
}

/* ---- the profile */

typedef struct profile {
    analysis *a;
    strings strings;
    buffer body, message, inner;
    addrmap locations; /* return address -> location id */
    uint32_t location_count;
    addrmap functions; /* (name, file) string pair -> function id */
    uint32_t function_count;
} profile;

static void value_type(profile *p, const char *type, const char *unit) {
    field_varint(&p->message, VALUE_TYPE_TYPE, string_index(&p->strings, type));
    field_varint(&p->message, VALUE_TYPE_UNIT, string_index(&p->strings, unit));
    field_message(&p->body, PROFILE_SAMPLE_TYPE, &p->message);
}

static void mappings(profile *p) {
    const capture *c = &p->a->capture;
    for (size_t i = 0; i < c->module_count; i++) {
        const capture_module *m = &c->modules[i];
        char build_id[2 * CAPTURE_MAX_BUILD_ID + 1];
        for (unsigned k = 0; k < m->build_id_length; k++)
            snprintf(build_id + 2 * k, 3, "%02x", m->build_id[k]);
        build_id[2 * m->build_id_length] = '\0';
        bool named = c->resolved_count > 0;
        field_varint(&p->message, MAPPING_ID, i + 1);
        field_varint(&p->message, MAPPING_MEMORY_START, m->bias + m->start);
        field_varint(&p->message, MAPPING_MEMORY_LIMIT, m->bias + m->start + m->size);
        field_varint(&p->message, MAPPING_FILENAME, string_index(&p->strings, m->path));
        field_varint(&p->message, MAPPING_BUILD_ID, string_index(&p->strings, build_id));
        field_varint(&p->message, MAPPING_HAS_FUNCTIONS, named);
        field_varint(&p->message, MAPPING_HAS_FILENAMES, named);
        field_varint(&p->message, MAPPING_HAS_LINE_NUMBERS, named);
        field_varint(&p->message, MAPPING_HAS_INLINE_FRAMES, named);
        field_message(&p->body, PROFILE_MAPPING, &p->message);
    }
}

/* The id of the function `f` names, writing it the first time. */
static uint32_t function_id(profile *p, const frame_info *f) {
    char name[1200];
    if (strcmp(f->function, "??") == 0 && f->module[0] != '\0')
        snprintf(name, sizeof name, "0x%llx in %s", (unsigned long long)f->offset, f->module);
    else
        snprintf(name, sizeof name, "%s", f->function);
    uint32_t name_index = string_index(&p->strings, name);
    uint32_t file_index = string_index(&p->strings, f->file);
    uint64_t key = (uint64_t)name_index << 32 | file_index;
    uint32_t id, replaced;
    if (addrmap_find(&p->functions, key + 1, &id))
        return id;
    id = ++p->function_count;
    if (!addrmap_put(&p->functions, key + 1, id, &replaced))
        p->body.failed = true;
    field_varint(&p->message, FUNCTION_ID, id);
    field_varint(&p->message, FUNCTION_NAME, name_index);
    field_varint(&p->message, FUNCTION_SYSTEM_NAME, name_index);
    field_varint(&p->message, FUNCTION_FILENAME, file_index);
    field_message(&p->body, PROFILE_FUNCTION, &p->message);
    return id;
}

/* The id of the location of return address `address`, writing it (and
 * its functions) the first time. */
static uint32_t location_id(profile *p, uint64_t address) {
    uint32_t id, replaced;
    if (addrmap_find(&p->locations, address, &id))
        return id;
    const frame_info *frames;
    size_t count = symbols_lookup(p->a->symbols, address, &frames);
    uint32_t functions[CAPTURE_MAX_INLINED];
    for (size_t i = 0; i < count && i < CAPTURE_MAX_INLINED; i++)
        functions[i] = function_id(p, &frames[i]);
    id = ++p->location_count;
    if (!addrmap_put(&p->locations, address, id, &replaced))
        p->body.failed = true;
    const capture *c = &p->a->capture;
    const capture_module *m = capture_module_of(c, address - 1);
    field_varint(&p->message, LOCATION_ID, id);
    field_varint(&p->message, LOCATION_MAPPING_ID, m ? (uint64_t)(m - c->modules) + 1 : 0);
    field_varint(&p->message, LOCATION_ADDRESS, address);
    for (size_t i = 0; i < count && i < CAPTURE_MAX_INLINED; i++) {
        field_varint(&p->inner, LINE_FUNCTION_ID, functions[i]);
        field_varint(&p->inner, LINE_LINE, frames[i].line > 0 ? (uint64_t)frames[i].line : 0);
        field_message(&p->message, LOCATION_LINE, &p->inner);
    }
    field_message(&p->body, PROFILE_LOCATION, &p->message);
    return id;
}

/* One sample a stack that allocated; its locations leaf first, up to
 * main (what runs before it is the C library's, as calltree.h shows). */
static void samples(profile *p, const stack_figures *held) {
    const capture *c = &p->a->capture;
    const stack_figures *allocated = p->a->replay.allocated;
    uint32_t ids[CAPTURE_MAX_DEPTH];
    for (uint32_t stack = 1; stack <= c->stack_count && !p->body.failed; stack++) {
        if (allocated[stack].blocks == 0 && held[stack].blocks == 0)
            continue;
        unsigned depth = 0;
        bool reached_main = false;
        for (unsigned i = 0; i < capture_depth(c, stack) && !reached_main; i++) {
            uint64_t address = capture_frame(c, stack, i);
            ids[depth++] = location_id(p, address);
            const frame_info *frames;
            size_t n = symbols_lookup(p->a->symbols, address, &frames);
            for (size_t k = 0; k < n; k++)
                reached_main |= strcmp(frames[k].function, "main") == 0;
        }
        buffer packed = {0};
        for (unsigned i = 0; i < depth; i++)
            put_varint(&packed, ids[i]);
        field_bytes(&p->message, SAMPLE_LOCATION_ID, packed.bytes, packed.used);
        packed.used = 0;
        uint64_t values[] = {allocated[stack].blocks, allocated[stack].bytes, held[stack].blocks,
                             held[stack].bytes};
        for (size_t i = 0; i < sizeof values / sizeof *values; i++)
            put_varint(&packed, values[i]);
        field_bytes(&p->message, SAMPLE_VALUE, packed.bytes, packed.used);
        p->body.failed |= packed.failed;
        free(packed.bytes);
        field_message(&p->body, PROFILE_SAMPLE, &p->message);
    }
}

/* The serialized profile, gzip-compressed into `out`, its header's
 * comment the signature. */
static bool write_gzip(FILE *out, const buffer *parts[], size_t count) {
    z_stream z = {0};
    gz_header header = {.comment = (Bytef *)EXPORT_PPROF_SIGNATURE, .os = 3 /* Unix */};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    bool ok = deflateSetHeader(&z, &header) == Z_OK;
    unsigned char chunk[64 * 1024];
    for (size_t i = 0; ok && i < count; i++) {
        z.next_in = parts[i]->bytes;
        z.avail_in = (uInt)parts[i]->used;
        int flush = i + 1 == count ? Z_FINISH : Z_NO_FLUSH, status;
        do {
            z.next_out = chunk;
            z.avail_out = sizeof chunk;
            status = deflate(&z, flush);
            ok = status != Z_STREAM_ERROR &&
                 /* cppcheck-suppress uninitvar ; deflate wrote the chunk (z.next_out) */
                 fwrite(chunk, 1, sizeof chunk - z.avail_out, out) == sizeof chunk - z.avail_out;
        } while (ok && (z.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END)));
    }
    deflateEnd(&z);
    return ok;
}

bool export_pprof(FILE *out, analysis *a, bool leaks) {
    profile p = {.a = a, .strings.index = {.hash = text_hash, .equal = same_text}};
    string_index(&p.strings, ""); /* string_table[0] must be "" */
    value_type(&p, "alloc_objects", "count");
    value_type(&p, "alloc_space", "bytes");
    value_type(&p, "inuse_objects", "count");
    value_type(&p, "inuse_space", "bytes");
    mappings(&p);
    samples(&p, analysis_figures(a, leaks));
    field_varint(&p.body, PROFILE_TIME_NANOS, a->capture.start_wall_ns);
    field_varint(&p.body, PROFILE_DURATION_NANOS, a->replay.duration_ns);
    char comment[4200], command[4096];
    capture_command(&a->capture, command, sizeof command);
    snprintf(comment, sizeof comment, "heapbook: %s; inuse_* are what was %s", command,
             analysis_what(leaks));
    field_varint(&p.body, PROFILE_COMMENT, string_index(&p.strings, comment));
    field_varint(&p.body, PROFILE_DEFAULT_SAMPLE_TYPE, string_index(&p.strings, "inuse_space"));
    bool ok = !p.body.failed && !p.strings.table.failed && !p.message.failed;
    const buffer *parts[] = {&p.body, &p.strings.table};
    ok = ok && write_gzip(out, parts, 2);
    strings_free(&p.strings);
    free(p.body.bytes);
    free(p.message.bytes);
    free(p.inner.bytes);
    addrmap_free(&p.locations);
    addrmap_free(&p.functions);
    return ok;
}

bool export_pprof_recognize(const unsigned char *start, size_t length) {
    enum { GZIP_FLAGS = 3, GZIP_COMMENT = 0x10 };
    return length > GZIP_FLAGS && start[0] == 0x1f && start[1] == 0x8b &&
           (start[GZIP_FLAGS] & GZIP_COMMENT) &&
           memmem(start, length, EXPORT_PPROF_SIGNATURE, sizeof EXPORT_PPROF_SIGNATURE - 1) != NULL;
}
