/* capture.h: the capture file that `heapbook run` writes and every other
 * heapbook command reads.
 *
 * A capture is a header, then records, each a one-byte tag and a fixed or
 * length-prefixed payload, in the order things happened.  Integers are
 * little-endian (the capture is read on the machine that wrote it).
 *
 *   header   "HBCAP1\n\0" (8 bytes), u32 version, u32 pid, u64 start time
 *            (ns since the epoch), u32 argument bytes, then the command line
 *            as NUL-terminated arguments
 *   'S'      a call stack: u32 id, u16 depth, depth x u64 return addresses,
 *            innermost first.  Written before the first record that uses it;
 *            ids count up from 1.
 *   'A'      an allocation: u64 time (ns since start), u64 address, u64 size
 *            (bytes requested), u32 stack id
 *   'F'      a free: u64 time, u64 address (of a block allocated before)
 *   'M'      a memory sample, every 10 ms: u64 time, u64 heap bytes live,
 *            u64 resident set size in bytes
 *   'L'      a loaded module: u64 load bias, u16 path length, path bytes
 *            (the set of 'L' records after the last 'l' is the module map)
 *   'l'      a new module map begins: u64 time
 *   'E'      the end: u64 time.  A capture without it ended without exit()
 *            (the program was killed or called _exit).
 *
 * A realloc is an 'F' of the old block and an 'A' of the new one, as the
 * harness counts it, so a capture's peak is the harness's peak. */
#ifndef HEAPBOOK_CAPTURE_H
#define HEAPBOOK_CAPTURE_H

#include <stdint.h>

#define CAPTURE_MAGIC "HBCAP1\n"
enum {
    CAPTURE_MAGIC_SIZE = 8,
    CAPTURE_VERSION = 1,
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
