/* support.h: the runner's helpers: report text, symbols, reports, and the
 * reports of memory errors.  Built on the core (core/core.h) for stacks and
 * scopes, and on the base (base/base.h) for values as text; nothing here
 * knows CUnit. */
#ifndef HB_SUPPORT_H
#define HB_SUPPORT_H

#include "../base/base.h"
#include "../core/core.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ======================================================================
 * Text (report.c): a growing string for reports.  Its memory is the
 * harness's own: every allocation is made under the guard, so it never
 * counts. */

typedef struct hb_text {
    char *data; /* NUL-terminated; NULL until something is appended */
    size_t length;
    size_t capacity;
} hb_text;

void hb_text_printf(hb_text *text, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* The text so far, "" if empty. */
const char *hb_text_get(const hb_text *text);

void hb_text_free(hb_text *text);

/* ======================================================================
 * Symbols (report.c): return addresses as "function (file:line)".
 *
 * Uses elfutils' libdw (dwfl), which reads the DWARF line tables of the
 * executable and of every shared library mapped in this process, so names
 * and lines are right for PIE and non-PIE code alike.  Paths are shown as
 * the compiler recorded them; the Makefile compiles with -ffile-prefix-map
 * so they are relative to the repository ("exercises/01-fibonacci/..."). */

enum { HB_FUNCTION_NAME = 128, HB_FILE_NAME = 256, HB_MODULE_NAME = 64 };

typedef struct hb_location {
    char function[HB_FUNCTION_NAME]; /* "??" if unknown */
    char file[HB_FILE_NAME];         /* "" if there is no line table */
    int line;
    char module[HB_MODULE_NAME]; /* the file's name it was loaded from: "libc.so.6" */
} hb_location;

/* Looks up `address`.  `is_return_address`: the address is where a call
 * returns to, so the call itself is one byte earlier (true for every frame
 * of a captured stack). */
void hb_symbolize(uintptr_t address, bool is_return_address, hb_location *location);

/* Writes "function (file:line)", or "function" without line info, into
 * `text`; returns the length written (truncated to `size`). */
size_t hb_location_format(const hb_location *location, char *text, size_t size);

/* The code of every function named `name` in the process (a static one may
 * exist in several files), at most `max`; returns how many. */
size_t hb_symbols_ranges(const char *name, hb_code_range *ranges, size_t max);

/* ======================================================================
 * Reports (report.c): stacks and the sites of a scope, laid out for a
 * terminal, one frame per line:
 *
 *       512.0 KiB in 1 block, allocated at
 *         > fibonacci (exercises/01-fibonacci/fibonacci.c:25)
 *         > fibonacci_hash (exercises/01-fibonacci/fibonacci.c:51)
 *           test_fibonacci_memory (tests/exercises/test_01_fibonacci.c:30)
 *           ... 2 frames in the harness and CUnit
 *
 * The student's frames (exercises/, solutions/) are marked ">", bold on a
 * terminal; a library's frames above them (strdup) show where the block
 * came from; every other run of frames not the student's or the test's
 * (the harness, CUnit, libc) is folded into one line.  Sites whose stacks
 * read the same are merged. */

enum {
    HB_REPORT_TOP_SITES = 5,
    HB_REPORT_INDENT = 8, /* a stack under a label ("      freed at:") */
};

/* Colour (bold, dim) in reports from now on, or not: the runner asks for
 * it when its output is a terminal and NO_COLOR is not set. */
void hb_report_use_colour(bool colour);

/* `text` without the colour's escape sequences, into `plain` (as long). */
void hb_report_strip_colour(const char *text, char *plain);

/* Appends the biggest sites of `view` (at most HB_REPORT_TOP_SITES), each
 * a line "        SIZE in N blocks, allocated at" and its stack, indented
 * to sit under CUnit's "  1. file:line  - " prefix. */
void hb_report_sites(hb_text *text, const hb_scope *scope, enum hb_site_view view);

/* The same for sites read some other way (hb_blocks_live_sites): the
 * first `read` of `sites`, biggest first, of `total` in all. */
enum { HB_REPORT_SITES_READ = 8 * HB_REPORT_TOP_SITES };
void hb_report_site_list(hb_text *text, const hb_site *sites, size_t read, size_t total,
                         enum hb_site_view view);

/* One site as raw figures: its call stack's return addresses. */
typedef struct hb_site_stack {
    uint64_t bytes, blocks;
    const uintptr_t *frames;
    size_t depth;
} hb_site_stack;

/* The same for `count` sites already read, biggest first, of `total` in
 * all (a test's process sends them to the runner this way). */
void hb_report_site_stacks(hb_text *text, const hb_site_stack *sites, size_t count, size_t total,
                           enum hb_site_view view);

/* Appends stack `stack_id`: each frame a line of its own, "\n" then
 * `indent` spaces first. */
void hb_report_stack(hb_text *text, uint32_t stack_id, unsigned indent);

/* The same for raw frames, innermost first.  Every frame is a return address
 * unless `first_is_exact` (the faulting instruction of a crash). */
void hb_report_frames(hb_text *text, const uintptr_t *frames, size_t depth, bool first_is_exact,
                      unsigned indent);

/* ======================================================================
 * Misuse (report.c): the reports of the memory errors the core finds,
 * instead of a crash deep inside the allocator (core.h: hb_memory_error):
 *
 *   free(0x5555...): the block was already freed (a double free)
 *         freed again at: ...   first freed at: ...   allocated (24 B) at: ...
 *   free(0x5555...): not a block that malloc returned (an invalid free), or
 *         the bytes just before it were overwritten     called at: ...
 *   heap buffer overflow: 4 bytes written past the end of a 96-byte block
 *         allocated at: ...     found at its free: ...
 *   write after free: 3 bytes of a 24-byte block changed after its free
 *         allocated at: ...     freed at: ...     found: ...
 *
 * Where a freed block was allocated and freed comes from the quarantine
 * (core.h), which the test runner turns on; a block's header tells a live
 * block, a freed one and any other pointer apart without it. */

typedef void (*hb_misuse_reporter)(enum hb_memory_error_kind kind, const char *report);

/* Reports every memory error the core finds, then stops the program:
 * `reporter` gets each report (the isolated test's child sends it to the
 * parent), or NULL for stderr.  Called again, it changes the reporter. */
void hb_misuse_start(hb_misuse_reporter reporter);

#endif
