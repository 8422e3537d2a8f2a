/* symbols: a capture's return addresses as the frames a person reads,
 * from the modules the capture lists, read offline with elfutils' libdw
 * (libdwfl for modules and symbols, libdw's DWARF scopes for inlined calls)
 * and C++ names demangled with the C++ runtime's __cxa_demangle:
 *
 *   - a call inlined into its caller is a frame of its own, at its line,
 *     and the caller's frame is at the line of the call;
 *   - without debug information, "function+0x1a in libfoo.so.1", or
 *     "0x1139 in libfoo.so.1" without a symbol either;
 *   - a module whose build-id differs from the one recorded (a program
 *     rebuilt since) is not read: a warning says so, and its frames show as
 *     addresses, never as another build's lines.
 *
 * Modules are opened without blocking and only if they are regular files.
 * A capture that holds its frames' names (capture.h's 'R', written by
 * heapbook run at the end of recording) is named from them instead, and
 * no module is read. */
#ifndef HEAPBOOK_SYMBOLS_H
#define HEAPBOOK_SYMBOLS_H

#include "capture_reader.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct frame_info {
    const char *function; /* "??" if unknown */
    const char *file;     /* "" if there is no line table */
    int line;
    const char *module; /* the module's file name, "" if none */
    /* Without a line: the offset from the function's start, or (function
     * "??") from the module's load address. */
    uint64_t offset;
} frame_info;

typedef struct symbols symbols;

/* Reads the modules of `c`, warning on stderr about those that cannot be
 * read or changed since (each named with `capture_name`).  NULL if memory
 * runs out. */
symbols *symbols_open(const capture *c);

/* The frames `address` (a return address: the call is just before it)
 * stands for, innermost first, into *frames; returns how many (at least
 * 1).  *frames is valid until the next lookup, the strings in them as long
 * as `s`. */
size_t symbols_lookup(symbols *s, uint64_t address, const frame_info **frames);

/* The same place: function, file, line, module and offset all equal; and
 * a hash that agrees with it. */
bool frame_same_place(const frame_info *a, const frame_info *b);
uint64_t frame_hash(const frame_info *f);

/* True if the module at `path` is part of the C or C++ runtime (libc, the
 * dynamic loader, libstdc++, libgcc_s...). */
bool symbols_is_runtime(const char *path);

/* True if the module at `path` is the dynamic loader. */
bool symbols_is_loader(const char *path);

/* The frame as reports show it: "function (file:line)", else
 * "function+0x1a in libfoo.so", else "0x1139 in libfoo.so", else
 * "function".  Returns `text`. */
const char *frame_display(const frame_info *f, char *text, size_t size);

void symbols_close(symbols *s);

#endif
