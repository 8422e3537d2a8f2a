/* hb_symbolize: turns return addresses into "function (file:line)".
 *
 * Uses elfutils' libdw (dwfl), which reads the DWARF line tables of the
 * executable and of every shared library mapped in this process, so names and
 * lines are right for PIE and non-PIE code alike.  Paths are shown as the
 * compiler recorded them; the Makefile compiles with -ffile-prefix-map so
 * they are relative to the repository ("exercises/01-fibonacci/..."). */
#ifndef HB_SYMBOLIZE_H
#define HB_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { HB_FUNCTION_NAME = 128, HB_FILE_NAME = 256 };

typedef struct hb_location {
    char function[HB_FUNCTION_NAME]; /* "??" if unknown */
    char file[HB_FILE_NAME];         /* "" if there is no line table */
    int line;
} hb_location;

/* Looks up `address`.  `is_return_address`: the address is where a call
 * returns to, so the call itself is one byte earlier (true for every frame
 * of a captured stack). */
void hb_symbolize(uintptr_t address, bool is_return_address, hb_location *location);

/* Writes "function (file:line)", or "function" without line info, into
 * `text`; returns the length written (truncated to `size`). */
size_t hb_location_format(const hb_location *location, char *text, size_t size);

#endif
