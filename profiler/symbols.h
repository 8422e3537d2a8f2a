/* symbols: a capture's return addresses as "function (file:line)", read
 * offline from the modules the capture lists, with elfutils' libdwfl (the
 * same library the harness uses in-process). */
#ifndef HEAPBOOK_SYMBOLS_H
#define HEAPBOOK_SYMBOLS_H

#include "capture_reader.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct frame_info {
    const char *function; /* "??" if unknown */
    const char *file;     /* "" if there is no line table */
    int line;
} frame_info;

typedef struct symbols symbols;

/* NULL if memory runs out.  Modules that cannot be read are skipped: their
 * frames show as "??". */
symbols *symbols_open(const capture *c);

/* Looks `address` up (a return address: the call is just before it).  The
 * strings live as long as `s`. */
frame_info symbols_lookup(symbols *s, uint64_t address);

void symbols_close(symbols *s);

#endif
