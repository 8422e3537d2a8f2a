/* protocol.h: what a test's process tells the runner, on the wire.
 *
 * The test's process (the child) runs code the runner cannot trust: it
 * sends only what it saw (its assertions' outcomes, its measurements, how
 * it is dying) and the runner (the parent) decides the verdict.  So every
 * message has an explicit encoding the parent can check before believing a
 * byte of it, as Check's check_pack.c and Criterion's protocol do:
 *
 *   header   2 bytes  magic "hb"
 *            1 byte   HB_WIRE_VERSION
 *            1 byte   kind (enum hb_message_kind)
 *            4 bytes  the body's length, at most HB_WIRE_MAX_BODY
 *   body     fields of the kind, in order: u8, u32 and u64 little-endian,
 *            text as a u32 length (at most HB_WIRE_MAX_TEXT) then its bytes
 *            (no NUL among them), frames as a u32 count (at most
 *            HB_STACK_MAX_FRAMES) then a u64 each.
 *
 * No pointer crosses: a frame is a return address, which means the same in
 * the parent (a fork of the same program, with the same memory map).  A
 * body longer or shorter than its fields, a count over its bound, an
 * unknown kind or version: the message is malformed, and the parent fails
 * the test saying so (parent.c), never reads past it.
 *
 * The encoder runs in the child, in signal handlers too: it writes into a
 * buffer the caller gives, and never allocates. */
#ifndef HB_PROTOCOL_H
#define HB_PROTOCOL_H

#include "runner.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    HB_WIRE_VERSION = 1,
    HB_WIRE_HEADER = 8,
    HB_WIRE_MAX_TEXT = 64 * 1024,            /* CUnit's messages are far shorter */
    HB_WIRE_MAX_BODY = 160 * 1024,           /* a measurement with every site's frames */
    HB_WIRE_SITES = 8 * HB_REPORT_TOP_SITES, /* per view: as many as reports read */
    HB_WIRE_VIEWS = 3,                       /* enum hb_site_view */
    HB_WIRE_LEAKED = HB_WIRE_VIEWS,          /* then the sites of a test's leak */
    HB_WIRE_SITE_LISTS = HB_WIRE_VIEWS + 1,
    HB_WIRE_DRAWS = HB_CONTEXT_DRAWS, /* a test's first random inputs, shown */
    /* The sites a part of a fault injection left live, all that a leak
     * beyond the normal run's is computed from (judge.c). */
    HB_WIRE_PART_SITES = 256,
};

/* Assertions that passed, replayed one by one into CUnit: a bound, so a
 * forged count cannot keep the runner busy. */
#define HB_WIRE_MAX_PASSES (UINT64_C(1) << 28)

enum hb_message_kind {
    HB_MSG_PASSES = 'P',   /* u64: assertions that passed */
    HB_MSG_FAILURE = 'F',  /* a failed assertion: u32 line, text file, text condition */
    HB_MSG_MEASURED = 'R', /* the test's hb_measurement */
    HB_MSG_SIGNAL = 'S',   /* frames where a fatal signal struck, innermost first */
    HB_MSG_OVERFLOW = 'O', /* the same, for a fault at the end of the stack */
    HB_MSG_EXIT = 'X',     /* frames of the call to exit() */
    HB_MSG_MISUSE = 'M',   /* u32 enum hb_memory_error_kind, text: its report */
    HB_MSG_NOTE = 'N',     /* text: what the test is doing, in case it dies */
    /* Fault injection (fault_each.c), judged by the parent (judge.c):
     * the test's process says when it starts, when each part (a child
     * where one allocation fails, or the normal run) starts and how it
     * ended, and when it is over; the part itself sends its failed
     * assertions (FAILURE), how it dies if it does, and its figures. */
    HB_MSG_FAULT_BEGIN = 'I', /* as FAILURE: u32 line, text file, text the code's name */
    HB_MSG_PART_BEGIN = 'b',  /* u64 the allocation made to fail (0: the normal run) */
    HB_MSG_PART = 'T',        /* the part's figures at its end (hb_part_figures) */
    HB_MSG_PART_END = 'E',    /* u64 the allocation, u32 the part's wait status */
    HB_MSG_FAULT_END = 'W',   /* hb_fault_end's fields, in order, each a u64 */
    HB_MSG_DONE = 'D',        /* the test returned; nothing follows */
    /* A memory test's body starts: the parent reads the process's resident
     * memory, then answers with a byte on the channel.  No fields.  After
     * it, the measurement too waits for the parent's answer. */
    HB_MSG_BODY_START = 'B',
};

/* One call stack's figures, its frames as raw return addresses. */
typedef struct hb_raw_site {
    uint64_t bytes, blocks;
    uint32_t depth;
    uintptr_t frames[HB_STACK_MAX_FRAMES];
} hb_raw_site;

/* The biggest sites of one view (enum hb_site_view), biggest first, and
 * how many sites had a figure in all. */
typedef struct hb_raw_sites {
    uint64_t total;
    uint32_t count;
    hb_raw_site site[HB_WIRE_SITES];
} hb_raw_sites;

/* The first `count` of `sites` (a scope's or the live blocks', biggest
 * first) into `raw`, each with its stack's frames. */
void hb_raw_sites_fill(const hb_site *sites, uint32_t count, hb_raw_sites *raw);

/* Events the child saw that a verdict depends on: bits. */
enum hb_measured_event {
    HB_EVENT_MEASURED = 1 << 0,       /* a memory test's body ran in its scope */
    HB_EVENT_SANITIZER_LEAK = 1 << 1, /* LeakSanitizer found a leak (make memcheck) */
    HB_EVENT_SCOPE_UNCLOSED = 1 << 2, /* a fatal assertion left the measured scope */
    HB_EVENT_STOPPED = 1 << 3,        /* a fatal assertion stopped the test */
};

/* What a test's process measured: raw figures, no verdict.  A figure is
 * added with one line in HB_MEASURED_FIGURES (its field here, or in
 * hb_usage), which encodes, decodes and validates it. */
typedef struct hb_measurement {
    uint32_t events; /* hb_measured_event bits */
    /* The hb_failure bits of a fault injection's failure points, and the
     * failures they added: the judge's (judge.c), never sent. */
    uint32_t part_failures, part_reports;
    hb_usage usage;     /* of the memory test's scope, else of the whole test */
    size_t stack_bytes; /* the deepest stack of a memory test's body */
    /* The kernel's count of resident memory as the measured body started,
     * and its exact count of anonymous memory then and once the body's
     * measurement was sent: read by the parent itself (HB_MSG_BODY_START,
     * HB_MSG_MEASURED), never sent. */
    uint64_t resident_before_kib;
    uint64_t anonymous_before_kib, anonymous_after_kib;
    uint32_t draw_count; /* random inputs drawn (assert.c), the first ones kept */
    hb_draw draws[HB_WIRE_DRAWS];
    /* What the whole test left live at its end, less the blocks it keeps
     * (hb_keep): every test's leak. */
    uint64_t test_leaked_bytes, test_leaked_blocks;
    /* A memory test's, by enum hb_site_view; then, at HB_WIRE_LEAKED, where
     * the test's leaked blocks were allocated. */
    hb_raw_sites sites[HB_WIRE_SITE_LISTS];
} hb_measurement;

/* X(name, field of hb_measurement): every u64 figure, in wire order. */
#define HB_MEASURED_FIGURES(X)                                                                     \
    X(peak, usage.peak_bytes)                                                                      \
    X(leaked, usage.live_bytes)                                                                    \
    X(total, usage.total_bytes)                                                                    \
    X(allocations, usage.allocations)                                                              \
    X(frees, usage.frees)                                                                          \
    X(live_blocks, usage.live_blocks)                                                              \
    X(mapped_peak, usage.mapped_peak_bytes)                                                        \
    X(stack, stack_bytes)                                                                          \
    X(test_leaked, test_leaked_bytes)                                                              \
    X(test_leaked_blocks, test_leaked_blocks)

/* What a part of a fault injection left at its end: the allocation it
 * made fail (0: the normal run), the first return address below the
 * code's frames (its sites' frames above it are the code's), where that
 * allocation was made, what was live (the normal run: what its globals
 * reach), and its sites. */
typedef struct hb_part_figures {
    uint64_t allocation;
    uint64_t below_the_code;
    uint64_t live_bytes, live_blocks;
    uint32_t failed_depth;
    uintptr_t failed_frames[HB_STACK_MAX_FRAMES];
    uint64_t total_sites; /* sites with live blocks, of which `count` sent */
    uint32_t count;
    hb_raw_site site[HB_WIRE_PART_SITES];
} hb_part_figures;

/* A fault injection's end, as the test's process counted it. */
typedef struct hb_fault_end {
    uint64_t allocations;  /* the code made */
    uint64_t tried;        /* failure points forked */
    uint64_t untried_from; /* the first allocation left for want of time; 0: none */
    uint64_t spent_us;     /* what the failure points took */
    uint64_t processor;    /* 1: processor time ran out, not real time */
} hb_fault_end;

/* ---- encoding (the child) */

/* A message being written into `buffer`; `overflow` once it would not fit. */
typedef struct hb_wire_out {
    uint8_t *buffer;
    size_t capacity, length;
    bool overflow;
} hb_wire_out;

/* Starts a message of `kind` in `buffer` (at least HB_WIRE_HEADER bytes). */
void hb_wire_begin(hb_wire_out *out, uint8_t *buffer, size_t capacity, enum hb_message_kind kind);
void hb_wire_u32(hb_wire_out *out, uint32_t value);
void hb_wire_u64(hb_wire_out *out, uint64_t value);
/* `text` (NULL reads as "") cut to HB_WIRE_MAX_TEXT bytes, and to fit. */
void hb_wire_text(hb_wire_out *out, const char *text);
void hb_wire_frames(hb_wire_out *out, const uintptr_t *frames, size_t depth);
void hb_wire_measurement(hb_wire_out *out, const hb_measurement *measurement);
void hb_wire_part(hb_wire_out *out, const hb_part_figures *part);
void hb_wire_fault_end(hb_wire_out *out, const hb_fault_end *end);
/* Writes the body's length into the header; false if the message overflowed. */
bool hb_wire_end(hb_wire_out *out);

/* ---- decoding and validation (the parent) */

/* A message as read: its text and file copied and terminated in `strings`. */
typedef struct hb_message {
    enum hb_message_kind kind;
    /* PASSES' count, FAILURE's and FAULT_BEGIN's line, MISUSE's kind,
     * PART_BEGIN's and PART_END's allocation */
    uint64_t number;
    uint32_t status; /* PART_END's */
    const char *file, *text;
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth;
    hb_measurement *measurement; /* MEASURED: the caller's, filled */
    hb_part_figures *part;       /* PART: the caller's, filled */
    hb_fault_end fault_end;      /* FAULT_END's */
} hb_message;

/* Checks a header: NULL, and the kind and body length set, if it is sound;
 * else what is wrong with it. */
const char *hb_wire_read_header(const uint8_t header[HB_WIRE_HEADER], enum hb_message_kind *kind,
                                uint32_t *length);

/* Decodes a body of `length` bytes (which it may change: texts are
 * terminated in place) into `message`; NULL if it is sound and every figure
 * in it is consistent, else what is wrong.  `message->measurement` must
 * point to storage for a MEASURED message, `message->part` for a PART. */
const char *hb_wire_decode(enum hb_message_kind kind, uint8_t *body, uint32_t length,
                           hb_message *message);

#endif
