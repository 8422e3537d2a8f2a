/* records.c: the grammar of capture.h's records. */
#include "records.h"

#include <string.h>

_Static_assert(CAPTURE_MAX_INLINED *CAPTURE_FRAME_NUMBERS <= CAPTURE_MAX_DEPTH,
               "an 'R' record's numbers fit in record.frames");
_Static_assert(2 * CAPTURE_GROUP_ENTRIES <= CAPTURE_MAX_DEPTH,
               "a 'G' record's numbers fit in record.frames");

typedef struct cursor {
    const unsigned char *p, *end;
    enum record_status status;
} cursor;

static bool varint(cursor *c, uint64_t *value) {
    if (record_varint(&c->p, c->end, value))
        return true;
    /* Cut short if the bytes ran out before a last byte; else too long. */
    const unsigned char *p = c->p;
    while (p < c->end && (*p & 0x80) && p - c->p < CAPTURE_MAX_VARINT)
        p++;
    c->status = p - c->p == CAPTURE_MAX_VARINT ? RECORD_LONG : RECORD_SHORT;
    return false;
}

/* `count` varints into `values`. */
static bool varints(cursor *c, uint64_t *values, unsigned count) {
    for (unsigned i = 0; i < count; i++)
        if (!varint(c, &values[i]))
            return false;
    return true;
}

static bool bytes(cursor *c, size_t length, const unsigned char **at) {
    if ((size_t)(c->end - c->p) < length) {
        c->status = RECORD_SHORT;
        return false;
    }
    *at = c->p;
    c->p += length;
    return true;
}

static bool u8(cursor *c, unsigned char *value) {
    const unsigned char *at;
    if (!bytes(c, 1, &at))
        return false;
    *value = *at;
    return true;
}

static bool u64(cursor *c, uint64_t *value) {
    const unsigned char *at;
    if (!bytes(c, 8, &at))
        return false;
    *value = 0;
    for (int i = 7; i >= 0; i--)
        *value = *value << 8 | at[i];
    return true;
}

/* A length, checked against its limit before its bytes are taken. */
static bool sized_text(cursor *c, size_t limit, const unsigned char **text, size_t *length) {
    uint64_t n;
    if (!varint(c, &n))
        return false;
    if (n > limit) {
        c->status = RECORD_TOO_LARGE;
        return false;
    }
    *length = (size_t)n;
    return bytes(c, *length, text);
}

static bool hello(cursor *c, record *r) {
    return varints(c, r->number, 2) && u64(c, &r->wide[0]) && u64(c, &r->wide[1]) &&
           u8(c, &r->byte) && sized_text(c, CAPTURE_MAX_ARGUMENTS, &r->text, &r->text_length);
}

static bool stack(cursor *c, record *r) {
    uint64_t depth;
    if (!varint(c, &r->number[0]) || !varint(c, &depth))
        return false;
    if (depth > CAPTURE_MAX_DEPTH) {
        c->status = RECORD_TOO_LARGE;
        return false;
    }
    r->depth = (size_t)depth;
    return varints(c, r->frames, (unsigned)depth);
}

static bool module(cursor *c, record *r) {
    unsigned char id_length;
    if (!varints(c, r->number, 3) || !u8(c, &id_length))
        return false;
    if (id_length > CAPTURE_MAX_BUILD_ID) {
        c->status = RECORD_TOO_LARGE;
        return false;
    }
    r->build_id_length = id_length;
    return bytes(c, id_length, &r->build_id) &&
           sized_text(c, CAPTURE_MAX_PATH, &r->text, &r->text_length);
}

/* A text ended by a 0 byte, at most `limit` bytes before it. */
static bool ended_text(cursor *c, size_t limit, const unsigned char **text, size_t *length) {
    size_t left = (size_t)(c->end - c->p);
    const unsigned char *zero = memchr(c->p, '\0', left < limit + 1 ? left : limit + 1);
    if (zero == NULL) {
        c->status = left > limit ? RECORD_TOO_LARGE : RECORD_SHORT;
        return false;
    }
    *text = c->p;
    *length = (size_t)(zero - c->p);
    c->p = zero + 1;
    return true;
}

/* 'N': id, then the name. */
static bool name(cursor *c, record *r) {
    return varint(c, &r->number[0]) && sized_text(c, CAPTURE_MAX_NAME, &r->text, &r->text_length);
}

/* 'R': address, count, then CAPTURE_FRAME_NUMBERS numbers a frame, into
 * frames[]. */
static bool resolved(cursor *c, record *r) {
    uint64_t count;
    if (!varint(c, &r->number[0]) || !varint(c, &count))
        return false;
    if (count == 0 || count > CAPTURE_MAX_INLINED) {
        c->status = RECORD_TOO_LARGE;
        return false;
    }
    r->number[1] = count;
    r->depth = (size_t)count * CAPTURE_FRAME_NUMBERS;
    return varints(c, r->frames, (unsigned)r->depth);
}

/* 'G': u8 kind, count, then count (gap, events) pairs into frames[]. */
static bool group(cursor *c, record *r) {
    if (!u8(c, &r->byte) || !varint(c, &r->number[0]))
        return false;
    if (r->number[0] == 0 || r->number[0] > CAPTURE_GROUP_ENTRIES) {
        c->status = RECORD_TOO_LARGE;
        return false;
    }
    r->depth = 2 * (size_t)r->number[0];
    return varints(c, r->frames, (unsigned)r->depth);
}

/* How many numbers an event has, from each source. */
static unsigned event_numbers(int tag, enum record_source source) {
    if (tag == TAG_ALLOC && source == FROM_PRELOAD)
        return 3;
    if (tag == TAG_INFO && source == FROM_CAPTURE)
        return 2;
    return tag == TAG_ALLOC || tag == TAG_FREE || tag == TAG_KEPT || tag == TAG_BUFFER ? 1 : 0;
}

enum record_status record_parse(const unsigned char *p, const unsigned char *end,
                                enum record_source source, record *r) {
    cursor c = {.p = p + 1, .end = end, .status = RECORD_OK};
    if (p >= end)
        return RECORD_SHORT;
    r->tag = *p;
    r->depth = r->text_length = r->build_id_length = 0;
    bool ok;
    switch (r->tag) {
    case TAG_HELLO:
        ok = hello(&c, r);
        break;
    case TAG_TIME:
        ok = varint(&c, &r->number[0]);
        break;
    case TAG_STACK:
        ok = stack(&c, r);
        break;
    case TAG_MODULE_MAP:
    case TAG_END:
        ok = true;
        break;
    case TAG_MODULE:
        ok = module(&c, r);
        break;
    case TAG_SAMPLE:
        ok = u64(&c, &r->wide[0]) && varint(&c, &r->number[0]);
        break;
    case TAG_ENDED:
        ok = u8(&c, &r->byte) && varint(&c, &r->number[0]);
        break;
    case TAG_TEMPORARY: /* heapbook run's: the preload knows addresses */
        if (source == FROM_PRELOAD)
            return RECORD_UNKNOWN;
        ok = true;
        break;
    case TAG_EXEC: /* the preload's only: never in a capture */
        if (source == FROM_CAPTURE)
            return RECORD_UNKNOWN;
        ok = u8(&c, &r->byte) && varint(&c, &r->number[0]) &&
             sized_text(&c, CAPTURE_MAX_PATH, &r->text, &r->text_length);
        break;
    case TAG_NAME: /* heapbook run's own, as 'R': never from the preload */
        if (source == FROM_PRELOAD)
            return RECORD_UNKNOWN;
        ok = name(&c, r);
        break;
    case TAG_NAME_TEXT:
        if (source == FROM_PRELOAD)
            return RECORD_UNKNOWN;
        ok = ended_text(&c, CAPTURE_MAX_NAME, &r->text, &r->text_length);
        break;
    case TAG_RESOLVED:
        if (source == FROM_PRELOAD)
            return RECORD_UNKNOWN;
        ok = resolved(&c, r);
        break;
    case TAG_GROUP: /* heapbook run's: the preload sends each event */
        if (source == FROM_PRELOAD)
            return RECORD_UNKNOWN;
        ok = group(&c, r);
        break;
    default: {
        if ((r->tag & CAPTURE_SHORT_EVENT) && source == FROM_CAPTURE) {
            const unsigned char *at = p;
            bool is_free;
            uint64_t quotient;
            if (!record_short_event(&at, end, &r->number[0], &is_free)) /* why not, then: */
                return varint(&c, &quotient) ? RECORD_TOO_LARGE : c.status;
            r->tag = is_free ? TAG_FREE : TAG_ALLOC;
            r->length = (size_t)(at - p);
            return RECORD_OK;
        }
        unsigned count = event_numbers(r->tag, source);
        if (count == 0)
            return RECORD_UNKNOWN;
        ok = varints(&c, r->number, count);
    }
    }
    if (!ok)
        return c.status;
    r->length = (size_t)(c.p - p);
    return RECORD_OK;
}

const char *record_name(int tag) {
    switch (tag) {
    case TAG_HELLO:
        return "the hello record";
    case TAG_TIME:
        return "a time record";
    case TAG_STACK:
        return "a stack record";
    case TAG_INFO:
        return "an info record";
    case TAG_ALLOC:
        return "an allocation record";
    case TAG_FREE:
        return "a free record";
    case TAG_KEPT:
        return "a kept-block record";
    case TAG_MODULE_MAP:
        return "a module map record";
    case TAG_MODULE:
        return "a module record";
    case TAG_BUFFER:
        return "a library buffer record";
    case TAG_END:
        return "the end record";
    case TAG_SAMPLE:
        return "a sample record";
    case TAG_ENDED:
        return "an ended record";
    case TAG_NAME:
    case TAG_NAME_TEXT:
        return "a name record";
    case TAG_TEMPORARY:
        return "a temporary free record";
    case TAG_EXEC:
        return "an exec record";
    case TAG_RESOLVED:
        return "a resolved-frame record";
    case TAG_GROUP:
        return "a group record";
    default:
        return "a record";
    }
}
