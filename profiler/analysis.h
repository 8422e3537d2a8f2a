/* analysis: a capture opened, replayed (checking every record) and ready
 * to symbolize: what every report command starts from. */
#ifndef HEAPBOOK_ANALYSIS_H
#define HEAPBOOK_ANALYSIS_H

#include "calltree.h"
#include "capture_reader.h"
#include "replay.h"
#include "symbols.h"

typedef struct analysis {
    capture capture;
    replay replay;
    symbols *symbols;
} analysis;

/* Prints what is wrong to stderr and returns false if `path` cannot be
 * read; warns (and goes on) if the capture has no end record.  Blocks the
 * C and C++ runtimes allocated for themselves are counted apart from the
 * program's leaks (replay.h's library figures). */
bool analysis_open(const char *path, analysis *a);
void analysis_close(analysis *a);

/* The figures a report is about: live at the peak, or never freed by the
 * program. */
const stack_figures *analysis_figures(const analysis *a, bool leaks);

/* "never freed, the program's" or "live at the peak". */
const char *analysis_what(bool leaks);

/* A line on what the C library kept for itself, if anything: "(not
 * counted: 4.0 KiB held by the C library for itself, such as stdout's
 * buffer)", into `text`; false if there is nothing to say. */
bool analysis_library_note(const analysis *a, char *text, size_t size);

#endif
