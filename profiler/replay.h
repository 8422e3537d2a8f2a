/* replay: a capture's events played in order, to find the peak and what
 * was live then, what was never freed, and totals per stack. */
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

typedef struct curve_point {
    double time_ms;
    uint64_t heap;
    size_t slice;
} curve_point;

typedef struct heap_sample {
    double time_ms;
    uint64_t heap, rss;
} heap_sample;

enum {
    SIZE_CLASSES = 64,  /* allocation sizes by power of two */
    CURVE_POINTS = 600, /* the heap over time, as drawn: enough for a wide screen */
};

typedef struct replay {
    uint64_t peak_bytes;
    uint64_t peak_event; /* allocations+frees replayed when the peak was reached */
    double peak_time_ms;
    uint64_t total_bytes, allocations, frees;
    uint64_t leaked_bytes, leaked_blocks;
    double duration_ms;
    /* indexed by stack id, 0 .. stack_count */
    stack_figures *at_peak, *leaked, *allocated;
    uint64_t size_classes[SIZE_CLASSES]; /* [k]: sizes in [2^(k-1), 2^k) ; [0]: size 0 */
    heap_sample *samples;                /* the recorder's, every 10 ms: for the RSS */
    size_t sample_count;
    /* The heap over time from every event, not sampled: the run is cut into
     * CURVE_POINTS slices and each gives the most it held, and when. */
    curve_point curve[CURVE_POINTS + 1];
    size_t curve_count;
} replay;

/* Replays `c`.  False (with a sentence in `error`) if a free names a block
 * that was never allocated, or memory runs out. */
bool replay_run(const capture *c, replay *r, char error[CAPTURE_ERROR]);
void replay_free(replay *r);

#endif
