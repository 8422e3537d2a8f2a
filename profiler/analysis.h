/* analysis: a capture opened, checked, replayed and ready to symbolize:
 * what every report command starts from. */
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
 * read; warns (and goes on) if the capture has no end record. */
bool analysis_open(const char *path, analysis *a);
void analysis_close(analysis *a);

/* The figures a report is about: live at the peak, or never freed. */
const stack_figures *analysis_figures(const analysis *a, bool leaks);

#endif
