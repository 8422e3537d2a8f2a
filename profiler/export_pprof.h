/* export_pprof: a capture's stacks as a pprof profile (google/pprof's
 * proto/profile.proto), gzip-compressed as that format asks, for `pprof`,
 * `go tool pprof` and the tools that read it.
 *
 * Four values a sample, as Go's heap profiles have them: alloc_objects
 * and alloc_space (everything the stack allocated over the run), then
 * inuse_objects and inuse_space (what it held at the peak, or never freed
 * with --leaks; the profile's comment says which).  A location is a return
 * address, its lines the inlined calls at it, innermost first, then the
 * function they are in; a mapping is a module, with its build-id. */
#ifndef HEAPBOOK_EXPORT_PPROF_H
#define HEAPBOOK_EXPORT_PPROF_H

#include "analysis.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The comment in the gzip header of every profile heapbook writes, by
 * which -o knows a file it wrote. */
#define EXPORT_PPROF_SIGNATURE "heapbook pprof profile"

/* Writes the profile of `figures` (analysis_figures()) into `out`; false
 * if memory runs out or zlib fails (nothing useful was written). */
bool export_pprof(FILE *out, analysis *a, bool leaks);

/* True if `start` is the beginning of a profile heapbook wrote. */
bool export_pprof_recognize(const unsigned char *start, size_t length);

#endif
