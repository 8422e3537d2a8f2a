/* capture.h: the capture file that `heapbook run` writes and every other
 * heapbook command reads.
 *
 * A capture is a header, then records, each a one-byte tag and a payload,
 * in the order things happened.  Integers are little-endian (the capture is
 * read on the machine that wrote it) and either fixed (u16, u32, u64) or
 * varints: 7 bits a byte, least significant first, the top bit set on every
 * byte but the last (LEB128), at most CAPTURE_MAX_VARINT bytes.  A delta is
 * a varint of the zigzag-encoded difference from the same field of the
 * previous 'A' or 'F' record (from 0 for the first): (d << 1) ^ (d >> 63).
 *
 *   header   "HBCAP1\n\0" (8 bytes), u32 version, u32 pid, u64 start time
 *            (ns since the epoch), u32 argument bytes, then the command line
 *            as NUL-terminated arguments
 *   'S'      a call stack: u32 id, u16 depth, depth x u64 return addresses,
 *            innermost first.  Written before the first record that uses it;
 *            ids count up from 1.
 *   'A'      an allocation: delta ticks, delta address, varint size (bytes
 *            requested), varint stack id
 *   'F'      a free: delta ticks, delta address (of a block allocated before)
 *   'M'      a memory sample, every 10 ms: u64 time (ns since start), u64
 *            ticks, u64 heap bytes live, u64 resident set size in bytes
 *   'L'      a loaded module: u64 load bias, u16 path length, path bytes
 *            (the set of 'L' records after the last 'l' is the module map)
 *   'l'      a new module map begins: u64 time, u64 ticks
 *   'E'      the end: u64 time, u64 ticks.  A capture without it ended
 *            without exit() (the program was killed or called _exit).
 *
 * Why this shape: an allocation is 4 to 8 bytes and a free 3 to 5, where
 * fixed fields took 29 and 17; and the events' clock is the recorder's
 * cheapest (the CPU's tick counter where it has one, see preload.c), which
 * costs a third of clock_gettime.  'M', 'l' and 'E' carry both clocks; the
 * reader turns an event's ticks into time by straight lines between them
 * (capture_reader.c), so no capture ever needs the tick rate.
 *
 * A realloc is an 'F' of the old block and an 'A' of the new one, as the
 * harness counts it, so a capture's peak is the harness's peak. */
#ifndef HEAPBOOK_CAPTURE_H
#define HEAPBOOK_CAPTURE_H

#include <stdint.h>

#define CAPTURE_MAGIC "HBCAP1\n"
enum {
    CAPTURE_MAGIC_SIZE = 8,
    CAPTURE_VERSION = 2,
    CAPTURE_MAX_VARINT = 10, /* 64 bits, 7 a byte */
    CAPTURE_MAX_DEPTH = 256,
    CAPTURE_MAX_PATH = 4096,
    CAPTURE_MAX_ARGUMENTS = 1 << 20,
};

enum capture_tag {
    TAG_STACK = 'S',
    TAG_ALLOC = 'A',
    TAG_FREE = 'F',
    TAG_SAMPLE = 'M',
    TAG_MODULE = 'L',
    TAG_MODULE_MAP = 'l',
    TAG_END = 'E',
};

#endif
