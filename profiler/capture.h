/* capture.h: the records the preload sends to `heapbook run` through the
 * channel, and the capture file heapbook run writes from them, which
 * every other heapbook command reads.
 *
 * A capture is a 16-byte file header, then one zstd stream holding the
 * records of one process, in the order things happened, with zstd's
 * checksum of them at the end of each frame:
 *
 *   file header  "HBCAP6\n\0" (8 bytes), u32 version, u32 compression (1: zstd);
 *                versions 3 ("HBCAP3", without the frames' names), 4
 *                ("HBCAP4", modules where the program listed them, each
 *                'R' address whole) and 5 ("HBCAP5", without 'G') are
 *                read too
 *
 * A record is a one-byte tag and a payload.  Numbers are varints (7 bits a
 * byte, least significant first, the top bit set on every byte but the
 * last: LEB128; at most CAPTURE_MAX_VARINT bytes) unless a width is given
 * (u8, u64: little-endian).
 *
 *   'H' hello      the first record: pid, parent pid, u64 wall-clock start
 *                  (ns since the epoch), u64 monotonic start (ns,
 *                  CLOCK_MONOTONIC), u8 allocator (CAPTURE_ALLOCATOR_*),
 *                  argument bytes, then the command line as NUL-terminated
 *                  arguments
 *   'T' time       ns since the previous 'T' (or the start): the events
 *                  after it happened then, to the recorder's tick; in a
 *                  capture, to a clock heapbook run makes coarser as the
 *                  run goes on (transcoder.c), written only when it moved
 *   'S' stack      id (one more than the last 'S'), depth, then depth return
 *                  addresses, innermost first.  Written before the first
 *                  record that uses it.  In a capture from version 6, each
 *                  address is a zigzag varint of its difference from the
 *                  one before it (the last of the previous 'S', or 0).
 *   'l' module map a new set of loaded modules follows (after a dlopen)
 *   'L' module     load bias, start and size of its mapped range (from the
 *                  bias), u8 build-id length, build-id, path length, path.
 *                  In a capture (from version 5), heapbook run writes them at the
 *                  end instead, before the names, and only the modules a
 *                  frame is in: a small program's capture is mostly paths
 *                  and build-ids of libraries it never allocated from.
 *   'E' end        the program ended through exit(): every later record
 *                  but a sample, a module, a name or a frame would be an error
 *
 * The events differ.  The preload knows addresses; it writes
 *
 *   'A' allocation address, size (bytes requested), stack id
 *   'F' free       address (of a block allocated before)
 *   'K' kept       address: a realloc of this block failed after its 'F'
 *                  was written; it is live again, as it was
 *   'B' buffer     address: a live block the C library allocated for itself
 *                  (a standard stream's buffer), written at exit
 *
 * and, before it replaces its program (the exec family, exec_hooks.c),
 *
 *   'x' exec       u8 0 (about to exec) or 1 (the exec failed, the program
 *                  goes on), pid (the stream's process, or a child it
 *                  vfork()ed, which runs in its memory), path length, path
 *
 * which heapbook run keeps out of the capture: a process whose last 'x'
 * is 0 and that begins no new stream ran a program the preload never
 * reached (it cleared LD_PRELOAD, or is static or set-user-ID), and
 * heapbook run says so.
 *
 * each address a zigzag varint, (d << 1) ^ (d >> 63), of its difference
 * from the previous one.  heapbook run matches every free to its
 * allocation by address (transcoder.c) and writes, instead, what a report
 * needs, which repeats and compresses far better:
 *
 *   'I' info       size, stack id: one (size, stack) pair, numbered from 1
 *                  in the order they appear, written before its first use
 *   'A' allocation info id
 *   'F' free       info id (of a live block)
 *   'K' kept       info id: a realloc of a block of it failed; live again
 *   't' temporary  the free of the block the 'A' just before allocated,
 *                  with no other event between (heaptrack's temporary
 *                  allocation): no payload, the info is that 'A's
 *   'B' buffer     info id: a live block of it is the C library's own
 *
 * From version 6 heapbook run counts the events of each tick of the
 * capture's clock instead of writing each ('G' records, transcoder.c):
 *
 *   'G' group      u8 kind (capture_group_kind), u8 n (1 to
 *                  CAPTURE_GROUP_ENTRIES), then n entries: the info id's
 *                  difference from the last entry's (from 0: ids ascend),
 *                  and how many events (1 to CAPTURE_GROUP_MAX_COUNT).
 *                  The reader hands them out as events, entry by entry:
 *                  frees ('F'), blocks allocated and freed ('A' then 'F'),
 *                  temporary allocations ('A' then 't'), allocations ('A')
 *
 * A tick is two parts, the events before the allocation that took the
 * heap highest in it and those after, each written as its four kinds in
 * that order, and that allocation alone between them, as an 'A' (with
 * its 't' if its block was freed at once).  Played so, no moment is
 * higher than the tick's highest, reached at the same allocation with the
 * same blocks live: the peak, what was live at it and at each point of
 * the page's curve, the totals, the leaks and the temporary allocations
 * are the events' own.  Which block of a pair a free was is nothing a
 * report can tell, nor the order within a tick, which the clock never
 * recorded; a busy program's capture is a third of one that writes each
 * event.  A tick with at most two events of a kind writes them as events.
 *
 * 'A' and 'F', most of a capture, are written short: a byte 0x80 | 0x40
 * for a free | k.  With k 0 it is the whole record, and the info is the
 * previous 'A' or 'F' record's: a block freed right after it was
 * allocated, or a loop allocating one size, costs a byte.  Else a varint
 * follows, and the id is 63 * varint + k: two bytes for the first 8000
 * infos, against three.  Every other tag is below 0x80.
 *
 * The resident set size is sampled by heapbook run every 10 ms, and by the
 * preload at the start and at exit:
 *
 *   'M' sample     u64 monotonic time (ns), resident set size in bytes
 *
 * each after every event heapbook run had before it, its tick's counted
 * ones too (transcoder.c); and heapbook run adds, from outside the process:
 *
 *   'X' ended      how a process that wrote no 'E' ended: u8
 *                  CAPTURE_ENDED_*, value (the signal, or the exit status)
 *
 * At the end of recording heapbook run names every return address the
 * stacks hold, from the modules as they are then (symbols.h), so that the
 * capture reads the same after the program is rebuilt, moved or deleted:
 *
 *   'n' name       the bytes of a function, file or module name the frames
 *                  below use, then a 0 byte; its id is one more than the
 *                  last name's (from 1).  Version 4 wrote
 *   'N' name       id (one more than the last 'N', from 1), length, bytes
 *   'R' resolved   return address (from version 5: its difference from the
 *                  previous 'R's, or from 0), count (1 to CAPTURE_MAX_INLINED), then
 *                  count frames, innermost first (inlined calls, then the
 *                  function they are in), each: function name id (0:
 *                  unknown), file name id (0: no line table), line, module
 *                  name id (0: none), offset (symbols.h's frame_info).
 *                  Addresses ascend from one 'R' to the next.
 *
 * A capture without them (version 3) is named from the modules on disk
 * when a report is made.
 *
 * Why this shape: a program makes tens of millions of allocations and
 * frees.  None carries a time (a 'T' every tick covers thousands); the
 * preload keeps no memory per block (the program keeps its allocator as it
 * is); and the file holds no addresses, whose differences are random and
 * do not compress, but info ids, as heaptrack's interpreted files do, and
 * from version 6 not even one an event but counts of them a tick ('G').
 * The reader then needs no table of blocks: a report's memory is bounded
 * by the distinct (size, stack) pairs.
 *
 * A realloc is an 'F' of the old block and an 'A' of the new one, as the
 * harness counts it, so a capture's peak is the harness's peak. */
#ifndef HEAPBOOK_CAPTURE_H
#define HEAPBOOK_CAPTURE_H

#include <stdint.h>

#define CAPTURE_MAGIC "HBCAP6\n"
/* The older formats still read: the same records, without 'N' and 'R'
 * (3), with the modules where the preload wrote them and each 'R' address
 * whole (4), and without 'G' (3 to 5). */
#define CAPTURE_MAGIC_3 "HBCAP3\n"
#define CAPTURE_MAGIC_4 "HBCAP4\n"
#define CAPTURE_MAGIC_5 "HBCAP5\n"
enum {
    CAPTURE_MAGIC_SIZE = 8,
    CAPTURE_FILE_HEADER = 16,
    CAPTURE_VERSION = 6,
    CAPTURE_VERSION_5 = 5,
    CAPTURE_VERSION_4 = 4,
    CAPTURE_OLDEST_VERSION = 3,
    CAPTURE_COMPRESSION_ZSTD = 1,
    CAPTURE_MAX_VARINT = 10, /* 64 bits, 7 a byte */
    CAPTURE_MAX_DEPTH = 256,
    CAPTURE_MAX_PATH = 4096,
    CAPTURE_MAX_BUILD_ID = 64,
    CAPTURE_MAX_NAME = 4096,
    CAPTURE_MAX_INLINED = 16,  /* frames one return address may stand for */
    CAPTURE_FRAME_NUMBERS = 5, /* the numbers of one frame of an 'R' */
    CAPTURE_MAX_ARGUMENTS = 32 * 1024,
    /* The longest record: a hello with the longest command line. */
    CAPTURE_MAX_RECORD = 64 + CAPTURE_MAX_ARGUMENTS,
};

enum capture_tag {
    TAG_HELLO = 'H',
    TAG_TIME = 'T',
    TAG_STACK = 'S',
    TAG_ALLOC = 'A',
    TAG_FREE = 'F',
    TAG_KEPT = 'K',
    TAG_MODULE_MAP = 'l',
    TAG_MODULE = 'L',
    TAG_BUFFER = 'B',
    TAG_INFO = 'I',
    TAG_END = 'E',
    TAG_SAMPLE = 'M',
    TAG_ENDED = 'X',
    TAG_NAME = 'N',      /* version 4's */
    TAG_NAME_TEXT = 'n', /* from version 5 */
    TAG_RESOLVED = 'R',
    TAG_EXEC = 'x',
    TAG_TEMPORARY = 't',
    TAG_GROUP = 'G', /* from version 6 */
};

/* A 'G' group: what it counts, and its limits (records.c refuses more). */
enum capture_group_kind {
    CAPTURE_GROUP_FREES = 0,       /* of blocks allocated before the group */
    CAPTURE_GROUP_PASSING = 1,     /* an 'A' and, later, its 'F', count times */
    CAPTURE_GROUP_TEMPORARIES = 2, /* an 'A' and its 't', count times */
    CAPTURE_GROUP_ALLOCATIONS = 3, /* blocks still live after the group */
    CAPTURE_GROUP_KINDS = 4,
};
enum {
    CAPTURE_GROUP_ENTRIES = 127,    /* entries in one 'G': their count is one byte */
    CAPTURE_GROUP_MAX_COUNT = 4096, /* events one entry stands for */
};

/* The short 'A' and 'F' of a capture. */
enum {
    CAPTURE_SHORT_EVENT = 0x80,
    CAPTURE_SHORT_FREE = 0x40,
    CAPTURE_SHORT_SAME = 0,   /* k: the previous event's info */
    CAPTURE_SHORT_RADIX = 63, /* k from 1 to 63: the id's remainder */
    CAPTURE_SHORT_K_MASK = 0x3f,
};

enum capture_allocator {
    CAPTURE_ALLOCATOR_PROGRAM = 0,  /* the program's own: the next malloc after the preload */
    CAPTURE_ALLOCATOR_MIMALLOC = 1, /* heapbook run --mimalloc */
};

enum capture_ended {
    CAPTURE_ENDED_SIGNAL = 1, /* killed by a signal: value is its number */
    CAPTURE_ENDED_EXIT = 2,   /* exited without exit() (_exit, exec failed): value is the status */
    CAPTURE_ENDED_LOST = 3,   /* gone, how is unknown (not heapbook run's child) */
};

/* ---- writing records: a varint or a zigzag varint at `p`; returns the
 * byte after it.  The preload and heapbook run both write. */

static inline unsigned char *capture_put_varint(unsigned char *p, uint64_t v) {
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static inline uint64_t capture_zigzag(uint64_t difference) {
    /* All ones for a negative difference: the sign copied without shifting a
     * signed value, whose right shift C leaves to the implementation. */
    return (difference << 1) ^ (UINT64_C(0) - (difference >> 63));
}

static inline unsigned char *capture_put_u64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

#endif
