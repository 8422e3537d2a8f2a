#include "replay.h"

#include "addrmap.h"

#include <stdio.h>
#include <stdlib.h>

static unsigned size_class(uint64_t size) {
    unsigned k = 0;
    while (size > 0 && k < SIZE_CLASSES - 1) {
        size >>= 1;
        k++;
    }
    return k;
}

/* The live blocks after `events` allocations and frees, by stack. */
static void live_by_stack(const addrmap *live, stack_figures *figures) {
    for (size_t i = 0; live->slots && i <= live->mask; i++)
        if (live->slots[i].address != 0) {
            figures[live->slots[i].stack].bytes += live->slots[i].size;
            figures[live->slots[i].stack].blocks++;
        }
}

/* Keeps, per slice of the run, the most the heap held (after an event). */
static void add_to_curve(replay *r, const capture *c, uint64_t time_ns, uint64_t heap) {
    uint64_t end = c->end_time_ns ? c->end_time_ns : 1;
    double t = time_ns / 1e6;
    size_t slice = (size_t)((__uint128_t)time_ns * CURVE_POINTS / (end + 1));
    curve_point *last = r->curve_count ? &r->curve[r->curve_count - 1] : NULL;
    if (last != NULL && last->slice == slice) {
        if (heap > last->heap) {
            last->heap = heap;
            last->time_ms = t;
        }
    } else if (r->curve_count <= CURVE_POINTS) {
        r->curve[r->curve_count++] = (curve_point){.time_ms = t, .heap = heap, .slice = slice};
    }
}

/* One pass; with `stop_at` (>0) it stops after that many allocations and
 * frees and fills r->at_peak from what is live then. */
static bool play(const capture *c, replay *r, uint64_t stop_at, char error[CAPTURE_ERROR]) {
    addrmap live = {0};
    uint64_t heap = 0, events = 0;
    capture_cursor cursor = capture_begin(c);
    capture_event e;
    size_t samples = 0;
    bool ok = true;
    while (ok && (stop_at == 0 || events < stop_at) && capture_next(c, &cursor, &e)) {
        if (e.tag == TAG_SAMPLE) {
            if (stop_at == 0 && r->samples != NULL)
                r->samples[samples++] =
                    (heap_sample){.time_ms = e.time_ns / 1e6, .heap = e.heap, .rss = e.rss};
            continue;
        }
        events++;
        if (e.tag == TAG_ALLOC) {
            ok = addrmap_put(&live, e.address, e.size, e.stack);
            heap += e.size;
            if (stop_at == 0) {
                r->total_bytes += e.size;
                r->allocations++;
                r->allocated[e.stack].bytes += e.size;
                r->allocated[e.stack].blocks++;
                r->size_classes[size_class(e.size)]++;
                if (heap > r->peak_bytes) {
                    r->peak_bytes = heap;
                    r->peak_event = events;
                    r->peak_time_ms = e.time_ns / 1e6;
                }
            }
        } else {
            addrmap_entry freed;
            if (!addrmap_take(&live, e.address, &freed)) {
                snprintf(error, CAPTURE_ERROR,
                         "%s: corrupt: a free of 0x%llx, a block that was never allocated", c->file,
                         (unsigned long long)e.address);
                ok = false;
                break;
            }
            heap -= freed.size;
            if (stop_at == 0)
                r->frees++;
        }
        if (stop_at == 0)
            add_to_curve(r, c, e.time_ns, heap);
    }
    if (ok && stop_at == 0) {
        r->leaked_bytes = heap;
        r->leaked_blocks = live.used;
        live_by_stack(&live, r->leaked);
        r->sample_count = samples;
    } else if (ok) {
        live_by_stack(&live, r->at_peak);
    }
    if (!ok && error[0] == '\0')
        snprintf(error, CAPTURE_ERROR, "%s: out of memory replaying the capture", c->file);
    addrmap_free(&live);
    return ok;
}

bool replay_run(const capture *c, replay *r, char error[CAPTURE_ERROR]) {
    *r = (replay){0};
    error[0] = '\0';
    size_t stacks = (size_t)c->stack_count + 1;
    r->at_peak = calloc(stacks, sizeof *r->at_peak);
    r->leaked = calloc(stacks, sizeof *r->leaked);
    r->allocated = calloc(stacks, sizeof *r->allocated);
    r->samples = calloc(c->samples + 1, sizeof *r->samples);
    if (!r->at_peak || !r->leaked || !r->allocated || !r->samples) {
        snprintf(error, CAPTURE_ERROR, "%s: out of memory", c->file);
        return false;
    }
    r->duration_ms = c->end_time_ns / 1e6;
    if (!play(c, r, 0, error))
        return false;
    return r->peak_event == 0 || play(c, r, r->peak_event, error);
}

void replay_free(replay *r) {
    free(r->at_peak);
    free(r->leaked);
    free(r->allocated);
    free(r->samples);
    *r = (replay){0};
}
