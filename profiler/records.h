/* records: one record (capture.h) parsed out of bytes that may be damaged,
 * the grammar of every record in one place.  heapbook run parses what the
 * preload sent (transcoder.c), every other command what heapbook run wrote
 * (capture_reader.c): the two differ only in the events, so the parser is
 * told which it reads.
 *
 * Every read is bounded by the end of the bytes, every length and count is
 * checked against capture.h's limits before it is used, and nothing is
 * allocated: a record that does not parse gives a status, never a crash. */
#ifndef HEAPBOOK_RECORDS_H
#define HEAPBOOK_RECORDS_H

#include "capture.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum record_source {
    FROM_PRELOAD, /* events by address */
    FROM_CAPTURE, /* events by info id */
};

enum record_status {
    RECORD_OK,
    RECORD_SHORT,     /* the bytes end inside it */
    RECORD_LONG,      /* a number longer than CAPTURE_MAX_VARINT bytes */
    RECORD_TOO_LARGE, /* a count or length beyond capture.h's limits */
    RECORD_UNKNOWN,   /* not a tag of this source */
};

typedef struct record {
    int tag;
    size_t length; /* of the whole record, tag included */
    /* The numbers, in the order capture.h lists them: for 'A' from the
     * preload number[0] is the address difference (zigzag), [1] the size,
     * [2] the stack; from a capture number[0] is the info id. */
    uint64_t number[5];
    unsigned char byte;        /* the u8 of 'H' and 'X' */
    uint64_t wide[2];          /* the u64s of 'H' and 'M' */
    const unsigned char *text; /* arguments of 'H', path of 'L', the name of 'N' or 'n' */
    size_t text_length;
    const unsigned char *build_id; /* of 'L' */
    size_t build_id_length;
    /* Of 'S', its return addresses, innermost first; of 'R', its frames'
     * numbers (number[1] frames). */
    uint64_t frames[CAPTURE_MAX_DEPTH];
    size_t depth;
} record;

/* Parses the record at `p` (its tag first), whose bytes end at `end`. */
enum record_status record_parse(const unsigned char *p, const unsigned char *end,
                                enum record_source source, record *r);

/* A varint at *p, of the bytes before `end`; advances *p past it.  False
 * (and *p unchanged) if it is cut short or longer than CAPTURE_MAX_VARINT
 * bytes.  Inline: the events' fast paths read millions. */
static inline bool record_varint(const unsigned char **p, const unsigned char *end,
                                 uint64_t *value) {
    const unsigned char *at = *p;
    uint64_t v = 0;
    for (unsigned shift = 0; at < end && shift < 7 * CAPTURE_MAX_VARINT; shift += 7) {
        unsigned char byte = *at++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            *value = v;
            *p = at;
            return true;
        }
    }
    return false;
}

/* A short 'A' or 'F' of a capture (capture.h) at *p; advances *p past it
 * and sets *id (0: the previous event's info) and *is_free.  False if it
 * is not one, or is cut short or too long. */
static inline bool record_short_event(const unsigned char **p, const unsigned char *end,
                                      uint64_t *id, bool *is_free) {
    const unsigned char *at = *p;
    if (at == end || !(*at & CAPTURE_SHORT_EVENT))
        return false;
    unsigned k = *at & CAPTURE_SHORT_K_MASK;
    *is_free = *at++ & CAPTURE_SHORT_FREE;
    uint64_t quotient = 0;
    if (k != CAPTURE_SHORT_SAME && (!record_varint(&at, end, &quotient) || quotient > UINT32_MAX))
        return false;
    *id = k == CAPTURE_SHORT_SAME ? 0 : quotient * CAPTURE_SHORT_RADIX + k;
    *p = at;
    return true;
}

/* The address a preload's event names, given the previous one. */
static inline uint64_t record_address(uint64_t previous, uint64_t zigzag) {
    return previous + ((zigzag >> 1) ^ (0 - (zigzag & 1)));
}

/* "an allocation record" and so on, for messages. */
const char *record_name(int tag);

#endif
