/* replay: a capture's events played in order, in one streaming pass: the
 * peak and what was live then, what was never freed, totals per stack, and
 * the heap over time.
 *
 * Memory: a few counters per stack and per (size, stack) pair, and a curve
 * of fixed length; nothing grows with the number of events.  What was live
 * at the peak is found in the same pass: a stack's figures are saved the
 * first time they change after a new peak (the value they had at it), so a
 * new peak costs nothing and no second pass is needed. */
#ifndef HEAPBOOK_REPLAY_H
#define HEAPBOOK_REPLAY_H

#include "capture_reader.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct stack_figures {
    uint64_t bytes;  /* live at the moment chosen, or allocated in all */
    uint64_t blocks; /* blocks live, or allocations made */
} stack_figures;

enum {
    SIZE_CLASSES = 64,  /* allocation sizes by power of two */
    CURVE_POINTS = 600, /* the heap over time, as drawn: enough for a wide screen */
};

/* One slice of the run: the most the heap held in it, and when. */
typedef struct curve_point {
    uint64_t slice;   /* which slice of r->slice_ns */
    uint64_t time_ns; /* when the heap was highest in it */
    uint64_t heap;
    uint64_t event; /* events played when it was: where a snapshot goes */
    uint64_t rss;   /* the largest resident set size sampled in it, 0 if none */
} curve_point;

typedef struct replay {
    uint64_t peak_bytes, peak_event, peak_time_ns;
    uint64_t total_bytes, allocations, frees, events;
    uint64_t leaked_bytes, leaked_blocks;   /* never freed, the program's */
    uint64_t library_bytes, library_blocks; /* never freed, the C library's own */
    uint64_t duration_ns;
    /* Allocations freed right after they were made, no other allocation
     * or free between (heaptrack's temporary allocations: capture.h's 't'). */
    uint64_t temporary;
    uint64_t peak_rss, peak_rss_time_ns; /* the largest resident set size sampled, 0 if none */
    uint32_t stack_count;
    /* indexed by stack id, 0 .. stack_count */
    stack_figures *at_peak, *leaked, *library, *allocated;
    uint64_t size_classes[SIZE_CLASSES]; /* [k]: sizes in [2^(k-1), 2^k) ; [0]: size 0 */
    /* The run cut into slices of slice_ns, doubled whenever the run
     * outgrows CURVE_POINTS of them; one point per slice with an event or
     * a sample. */
    curve_point curve[CURVE_POINTS];
    size_t curve_count;
    uint64_t slice_ns;
} replay;

/* Plays `c` from its first record.  False, with a sentence in `error`, if
 * the capture is damaged or memory runs out. */
bool replay_run(capture *c, replay *r, char error[CAPTURE_ERROR]);

/* Moves the never-freed figures of stack `id` from the program's leaks to
 * the C library's own (analysis.c decides which stacks are the library's). */
void replay_count_as_library(replay *r, uint32_t id);

void replay_free(replay *r);

/* The temporal view: the live figures by stack at each point of the curve
 * (after its event), each snapshot as the stacks that changed since the
 * previous one.  Taken in a second pass (capture_rewind). */
typedef struct snapshot_entry {
    uint32_t stack;
    uint64_t bytes, blocks;
} snapshot_entry;

typedef struct snapshots {
    size_t count;  /* = the curve's points taken (all, unless truncated) */
    size_t *first; /* [i]: index of snapshot i's first entry; [count]: the end */
    snapshot_entry *entries;
    size_t entry_count, entry_capacity;
    bool truncated; /* too many changes: the later points have none */
} snapshots;

enum { SNAPSHOT_MAX_ENTRIES = 400000 }; /* about 6 MB of page */

bool replay_snapshots(capture *c, const replay *r, snapshots *s, char error[CAPTURE_ERROR]);
void snapshots_free(snapshots *s);

#endif
