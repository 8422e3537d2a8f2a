/* protocol.c: the messages between a test's process and the runner,
 * encoded and checked (protocol.h). */
#include "protocol.h"

#include <string.h>

/* ---- encoding */

static void put(hb_wire_out *out, const void *bytes, size_t length) {
    if (out->overflow || length > out->capacity - out->length) {
        out->overflow = true;
        return;
    }
    memcpy(out->buffer + out->length, bytes, length);
    out->length += length;
}

static void put_le(hb_wire_out *out, uint64_t value, size_t width) {
    uint8_t bytes[8];
    for (size_t i = 0; i < width; i++)
        bytes[i] = (uint8_t)(value >> (8 * i));
    put(out, bytes, width);
}

void hb_wire_begin(hb_wire_out *out, uint8_t *buffer, size_t capacity, enum hb_message_kind kind) {
    *out = (hb_wire_out){.buffer = buffer, .capacity = capacity};
    uint8_t header[4] = {'h', 'b', HB_WIRE_VERSION, (uint8_t)kind};
    put(out, header, sizeof header);
    put_le(out, 0, 4); /* the body's length: hb_wire_end */
}

void hb_wire_u32(hb_wire_out *out, uint32_t value) { put_le(out, value, 4); }

void hb_wire_u64(hb_wire_out *out, uint64_t value) { put_le(out, value, 8); }

void hb_wire_text(hb_wire_out *out, const char *text) {
    text = text ? text : "";
    size_t length = strlen(text);
    size_t room = out->capacity - out->length;
    room = room > 4 ? room - 4 : 0;
    if (length > HB_WIRE_MAX_TEXT)
        length = HB_WIRE_MAX_TEXT;
    if (length > room) /* a long report cut short says most of what it says */
        length = room;
    hb_wire_u32(out, (uint32_t)length);
    put(out, text, length);
}

void hb_wire_frames(hb_wire_out *out, const uintptr_t *frames, size_t depth) {
    if (depth > HB_STACK_MAX_FRAMES)
        depth = HB_STACK_MAX_FRAMES;
    hb_wire_u32(out, (uint32_t)depth);
    for (size_t i = 0; i < depth; i++)
        hb_wire_u64(out, frames[i]);
}

static void put_site(hb_wire_out *out, const hb_raw_site *site) {
    hb_wire_u64(out, site->bytes);
    hb_wire_u64(out, site->blocks);
    hb_wire_frames(out, site->frames, site->depth);
}

void hb_wire_measurement(hb_wire_out *out, const hb_measurement *m) {
    hb_wire_u32(out, m->events);
#define PUT_FIGURE(name, field) hb_wire_u64(out, m->field);
    HB_MEASURED_FIGURES(PUT_FIGURE)
#undef PUT_FIGURE
    uint32_t draws = m->draw_count < HB_WIRE_DRAWS ? m->draw_count : HB_WIRE_DRAWS;
    hb_wire_u32(out, m->draw_count);
    for (uint32_t i = 0; i < draws; i++) {
        hb_wire_u64(out, m->draws[i].value);
        hb_wire_text(out, m->draws[i].name);
    }
    for (size_t view = 0; view < HB_WIRE_SITE_LISTS; view++) {
        const hb_raw_sites *sites = &m->sites[view];
        uint32_t count = sites->count < HB_WIRE_SITES ? sites->count : HB_WIRE_SITES;
        hb_wire_u64(out, sites->total);
        hb_wire_u32(out, count);
        for (uint32_t i = 0; i < count; i++)
            put_site(out, &sites->site[i]);
    }
}

void hb_wire_part(hb_wire_out *out, const hb_part_figures *part) {
    uint32_t count = part->count < HB_WIRE_PART_SITES ? part->count : HB_WIRE_PART_SITES;
    hb_wire_u64(out, part->allocation);
    hb_wire_u64(out, part->below_the_code);
    hb_wire_u64(out, part->live_bytes);
    hb_wire_u64(out, part->live_blocks);
    hb_wire_frames(out, part->failed_frames, part->failed_depth);
    hb_wire_u64(out, part->total_sites);
    hb_wire_u32(out, count);
    for (uint32_t i = 0; i < count; i++)
        put_site(out, &part->site[i]);
}

void hb_wire_fault_end(hb_wire_out *out, const hb_fault_end *end) {
    hb_wire_u64(out, end->allocations);
    hb_wire_u64(out, end->tried);
    hb_wire_u64(out, end->untried_from);
    hb_wire_u64(out, end->spent_us);
    hb_wire_u64(out, end->processor);
}

bool hb_wire_end(hb_wire_out *out) {
    if (out->overflow || out->length < HB_WIRE_HEADER)
        return false;
    uint64_t body = out->length - HB_WIRE_HEADER;
    for (size_t i = 0; i < 4; i++)
        out->buffer[4 + i] = (uint8_t)(body >> (8 * i));
    return true;
}

/* ---- decoding */

static bool known_kind(unsigned kind) {
    switch ((enum hb_message_kind)kind) {
    case HB_MSG_PASSES:
    case HB_MSG_FAILURE:
    case HB_MSG_MEASURED:
    case HB_MSG_SIGNAL:
    case HB_MSG_OVERFLOW:
    case HB_MSG_EXIT:
    case HB_MSG_MISUSE:
    case HB_MSG_NOTE:
    case HB_MSG_FAULT_BEGIN:
    case HB_MSG_PART_BEGIN:
    case HB_MSG_PART:
    case HB_MSG_PART_END:
    case HB_MSG_FAULT_END:
    case HB_MSG_DONE:
    case HB_MSG_BODY_START:
        return true;
    }
    return false;
}

static uint64_t get_le(const uint8_t *bytes, size_t width) {
    uint64_t value = 0;
    for (size_t i = 0; i < width; i++)
        value |= (uint64_t)bytes[i] << (8 * i);
    return value;
}

const char *hb_wire_read_header(const uint8_t header[HB_WIRE_HEADER], enum hb_message_kind *kind,
                                uint32_t *length) {
    if (header[0] != 'h' || header[1] != 'b')
        return "a message without the protocol's mark";
    if (header[2] != HB_WIRE_VERSION)
        return "a message of another version of the protocol";
    if (!known_kind(header[3]))
        return "a message of an unknown kind";
    *kind = (enum hb_message_kind)header[3];
    *length = (uint32_t)get_le(header + 4, 4);
    if (*length > HB_WIRE_MAX_BODY)
        return "a message longer than any the harness sends";
    return NULL;
}

/* A body being read; `error` set at the first field that does not fit. */
typedef struct reader {
    uint8_t *body;
    size_t length, at;
    const char *error;
} reader;

static bool take(reader *r, size_t width) {
    if (r->error == NULL && width > r->length - r->at)
        r->error = "a message shorter than its fields";
    return r->error == NULL;
}

static uint64_t get(reader *r, size_t width) {
    if (!take(r, width))
        return 0;
    uint64_t value = get_le(r->body + r->at, width);
    r->at += width;
    return value;
}

/* A text: moved over its length field and terminated there, in place. */
static const char *get_text(reader *r) {
    uint64_t length = get(r, 4);
    if (r->error == NULL && length > HB_WIRE_MAX_TEXT)
        r->error = "a text longer than any the harness sends";
    if (!take(r, (size_t)length))
        return "";
    char *text = (char *)r->body + r->at - 4;
    memmove(text, r->body + r->at, (size_t)length);
    text[length] = '\0';
    r->at += (size_t)length;
    if (strlen(text) != length)
        r->error = "a text with a NUL byte in it";
    return text;
}

static size_t get_frames(reader *r, uintptr_t *frames) {
    uint64_t depth = get(r, 4);
    if (r->error == NULL && depth > HB_STACK_MAX_FRAMES)
        r->error = "a stack deeper than any the harness records";
    if (r->error != NULL)
        return 0;
    for (size_t i = 0; i < depth; i++)
        frames[i] = (uintptr_t)get(r, 8);
    return (size_t)depth;
}

/* The figures a scope keeps can only be so: a peak no smaller than what is
 * live at the end nor larger than all it allocated, sites that add up to no
 * more than their figure.  (Counts of blocks need not add up: a partial
 * munmap() frees part of one mapping, and may leave two.) */
static const char *inconsistent(const hb_measurement *m) {
    const hb_usage *u = &m->usage;
    if (u->peak_bytes < u->live_bytes || u->total_bytes < u->peak_bytes)
        return "figures that contradict each other (peak below what is live, or above the total)";
    if (u->live_bytes != 0 && u->live_blocks == 0)
        return "figures that contradict each other (bytes live in no block)";
    const uint64_t bounds[HB_WIRE_SITE_LISTS] = {
        [HB_SITES_AT_PEAK] = u->peak_bytes,
        [HB_SITES_LIVE] = u->live_bytes,
        [HB_SITES_ALLOCATED] = u->total_bytes,
        [HB_WIRE_LEAKED] = m->test_leaked_bytes,
    };
    for (size_t view = 0; view < HB_WIRE_SITE_LISTS; view++) {
        uint64_t bytes = 0;
        for (uint32_t i = 0; i < m->sites[view].count; i++)
            bytes += m->sites[view].site[i].bytes;
        if (bytes > bounds[view] || m->sites[view].count > m->sites[view].total)
            return "sites whose bytes add up to more than the test's figures";
    }
    return NULL;
}

static void get_site(reader *r, hb_raw_site *site) {
    site->bytes = get(r, 8);
    site->blocks = get(r, 8);
    site->depth = (uint32_t)get_frames(r, site->frames);
}

static void get_measurement(reader *r, hb_measurement *m) {
    *m = (hb_measurement){0};
    m->events = (uint32_t)get(r, 4);
#define GET_FIGURE(name, field) m->field = get(r, 8);
    HB_MEASURED_FIGURES(GET_FIGURE)
#undef GET_FIGURE
    m->draw_count = (uint32_t)get(r, 4);
    if (r->error == NULL && m->draw_count > HB_WIRE_DRAWS)
        r->error = "more random inputs than the harness sends";
    for (uint32_t i = 0; i < m->draw_count && i < HB_WIRE_DRAWS && r->error == NULL; i++) {
        m->draws[i].value = get(r, 8);
        const char *name = get_text(r);
        if (r->error == NULL && strlen(name) >= HB_DRAW_NAME)
            r->error = "a random input's name longer than the harness keeps";
        else if (r->error == NULL)
            memcpy(m->draws[i].name, name, strlen(name) + 1);
    }
    for (size_t view = 0; view < HB_WIRE_SITE_LISTS && r->error == NULL; view++) {
        hb_raw_sites *sites = &m->sites[view];
        sites->total = get(r, 8);
        uint64_t count = get(r, 4);
        if (r->error == NULL && count > HB_WIRE_SITES)
            r->error = "more sites than the harness sends";
        for (uint32_t i = 0; i < count && r->error == NULL; i++)
            get_site(r, &sites->site[i]);
        sites->count = r->error == NULL ? (uint32_t)count : 0;
    }
    if (r->error == NULL)
        r->error = inconsistent(m);
}

/* A part's sites add up to no more than what it left live. */
static void get_part(reader *r, hb_part_figures *part) {
    part->allocation = get(r, 8);
    part->below_the_code = get(r, 8);
    part->live_bytes = get(r, 8);
    part->live_blocks = get(r, 8);
    part->failed_depth = (uint32_t)get_frames(r, part->failed_frames);
    part->total_sites = get(r, 8);
    uint64_t count = get(r, 4);
    if (r->error == NULL && (count > HB_WIRE_PART_SITES || count > part->total_sites))
        r->error = "more sites than the harness sends";
    uint64_t bytes = 0, blocks = 0;
    for (uint32_t i = 0; i < count && r->error == NULL; i++) {
        get_site(r, &part->site[i]);
        bytes += part->site[i].bytes;
        blocks += part->site[i].blocks;
    }
    part->count = r->error == NULL ? (uint32_t)count : 0;
    if (r->error == NULL && (bytes > part->live_bytes || blocks > part->live_blocks ||
                             (part->live_bytes != 0 && part->live_blocks == 0)))
        r->error = "sites whose figures add up to more than the part's";
}

const char *hb_wire_decode(enum hb_message_kind kind, uint8_t *body, uint32_t length,
                           hb_message *message) {
    reader r = {.body = body, .length = length};
    hb_measurement *storage = message->measurement;
    hb_part_figures *part = message->part;
    *message =
        (hb_message){.kind = kind, .file = "", .text = "", .measurement = storage, .part = part};
    switch (kind) {
    case HB_MSG_PASSES:
        message->number = get(&r, 8);
        if (r.error == NULL && message->number > HB_WIRE_MAX_PASSES)
            r.error = "more assertions than a test could make";
        break;
    case HB_MSG_FAILURE:
    case HB_MSG_FAULT_BEGIN: /* its line, its file, the code's name */
        message->number = get(&r, 4);
        message->file = get_text(&r);
        message->text = get_text(&r);
        break;
    case HB_MSG_MEASURED:
        if (storage == NULL)
            return "a measurement where none was expected";
        get_measurement(&r, storage);
        break;
    case HB_MSG_SIGNAL:
    case HB_MSG_OVERFLOW:
    case HB_MSG_EXIT:
        message->depth = get_frames(&r, message->frames);
        break;
    case HB_MSG_MISUSE:
        message->number = get(&r, 4);
        message->text = get_text(&r);
        break;
    case HB_MSG_PART_BEGIN:
        message->number = get(&r, 8);
        break;
    case HB_MSG_PART:
        if (part == NULL)
            return "a part's figures where none were expected";
        get_part(&r, part);
        break;
    case HB_MSG_PART_END:
        message->number = get(&r, 8);
        message->status = (uint32_t)get(&r, 4);
        break;
    case HB_MSG_FAULT_END: {
        hb_fault_end *end = &message->fault_end;
        end->allocations = get(&r, 8);
        end->tried = get(&r, 8);
        end->untried_from = get(&r, 8);
        end->spent_us = get(&r, 8);
        end->processor = get(&r, 8);
        if (r.error == NULL && (end->tried > end->allocations ||
                                end->untried_from > end->allocations + 1 || end->processor > 1))
            r.error = "fault injection figures that contradict each other";
        break;
    }
    case HB_MSG_NOTE:
        message->text = get_text(&r);
        break;
    case HB_MSG_DONE:
    case HB_MSG_BODY_START:
        break;
    }
    if (r.error == NULL && r.at != r.length)
        r.error = "a message longer than its fields";
    return r.error;
}

void hb_raw_sites_fill(const hb_site *sites, uint32_t count, hb_raw_sites *raw) {
    for (uint32_t i = 0; i < count; i++) {
        raw->site[i].bytes = sites[i].bytes;
        raw->site[i].blocks = sites[i].blocks;
        raw->site[i].depth = (uint32_t)hb_stacks_frames(sites[i].stack_id, raw->site[i].frames);
    }
}
