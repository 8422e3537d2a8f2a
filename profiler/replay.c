/* replay.c: a capture's events played in order (replay.h). */
#include "replay.h"

#include "array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a stack holds now, and what it held at the latest peak: saved the
 * first time it changes after that peak (replay.h). */
typedef struct stack_state {
    uint64_t bytes, blocks;
    uint64_t changed_at; /* the event that last changed it */
    uint64_t peak_bytes, peak_blocks;
    uint64_t peak_mark; /* which peak the saved figures are of */
    uint64_t allocated_bytes, allocated_blocks;
    uint64_t library_bytes, library_blocks;
    bool dirty; /* changed since the last snapshot */
} stack_state;

typedef struct player {
    capture *c;
    replay *r;
    stack_state *stacks;
    size_t stack_capacity;
    uint64_t *info_live; /* [info]: its blocks live now */
    size_t info_capacity;
    uint64_t heap, events;
    /* The latest time on the curve: no event is placed before it (curve_time()). */
    uint64_t clock;
    uint64_t peak_mark;
    uint32_t *dirty; /* stacks changed since the last snapshot */
    size_t dirty_count, dirty_capacity;
    char *error;
} player;

static const uint64_t FIRST_SLICE_NS = 1000;

static unsigned size_class(uint64_t size) {
    unsigned k = 0;
    while (size > 0 && k < SIZE_CLASSES - 1) {
        size >>= 1;
        k++;
    }
    return k;
}

static bool out_of_memory(player *p) {
    snprintf(p->error, CAPTURE_ERROR, "%s: out of memory replaying the capture", p->c->file);
    return false;
}

/* ---- the curve */

/* Twice as long slices, two points becoming one. */
static void halve_curve(replay *r) {
    r->slice_ns *= 2;
    size_t kept = 0;
    for (size_t i = 0; i < r->curve_count; i++) {
        curve_point point = r->curve[i];
        point.slice /= 2;
        curve_point *last = kept ? &r->curve[kept - 1] : NULL;
        if (last != NULL && last->slice == point.slice) {
            if (point.heap > last->heap) {
                last->heap = point.heap;
                last->time_ns = point.time_ns;
                last->event = point.event;
            }
            last->rss = point.rss > last->rss ? point.rss : last->rss;
        } else {
            r->curve[kept++] = point;
        }
    }
    r->curve_count = kept;
}

/* When a record happened, as the curve places it: never before one
 * already on it.  A sample ('M') carries the preload's or heapbook run's
 * own clock, and the events after it in the capture the capture's coarser
 * one (capture.h's 'T'), which may be earlier: a tick's counted events are
 * written after a sample taken during the tick.  Were they placed back in
 * time, a point could land in a slice before the sample's point, or be
 * moved there with the time of one before it, and two points would share
 * a time: the page, which finds a moment by its time, would show the
 * other's.  So each point is in a slice after the one before, at a time
 * of its own. */
static uint64_t curve_time(player *p, uint64_t time_ns) {
    if (time_ns > p->clock)
        p->clock = time_ns;
    return p->clock;
}

/* The heap after an event, or a sample of the resident set size. */
static void add_to_curve(player *p, uint64_t time_ns, bool sample, uint64_t rss) {
    replay *r = p->r;
    while (time_ns / r->slice_ns >= CURVE_POINTS)
        halve_curve(r);
    uint64_t slice = time_ns / r->slice_ns;
    curve_point *last = r->curve_count ? &r->curve[r->curve_count - 1] : NULL;
    if (last == NULL || slice > last->slice) {
        r->curve[r->curve_count++] = (curve_point){
            .slice = slice, .time_ns = time_ns, .heap = p->heap, .event = p->events, .rss = rss};
        return;
    }
    if (!sample && p->heap > last->heap) {
        last->heap = p->heap;
        last->time_ns = time_ns;
        last->event = p->events;
    }
    last->rss = rss > last->rss ? rss : last->rss;
}

/* ---- events */

/* Before stack `id` changes: its figures at the latest peak are saved if
 * this is its first change since. */
static stack_state *changing(player *p, uint32_t id) {
    stack_state *s = &p->stacks[id];
    if (s->changed_at <= p->r->peak_event && s->peak_mark != p->peak_mark) {
        s->peak_bytes = s->bytes;
        s->peak_blocks = s->blocks;
        s->peak_mark = p->peak_mark;
    }
    s->changed_at = p->events;
    if (!s->dirty && p->dirty_capacity != 0) {
        if (p->dirty_count == p->dirty_capacity)
            return s; /* never: there is room for every stack */
        s->dirty = true;
        p->dirty[p->dirty_count++] = id;
    }
    return s;
}

/* Blocks of (size, stack) pair `info` become live (+1) or not (-1). */
static bool change(player *p, const capture_event *e, int sign) {
    if (sign < 0 && p->info_live[e->info] == 0) {
        snprintf(p->error, CAPTURE_ERROR,
                 "%s: corrupt: it frees more blocks of %llu bytes from stack %u than it allocated",
                 p->c->file, (unsigned long long)e->size, e->stack);
        return false;
    }
    stack_state *s = changing(p, e->stack);
    p->info_live[e->info] += (uint64_t)(int64_t)sign;
    s->blocks += (uint64_t)(int64_t)sign;
    s->bytes += sign > 0 ? e->size : 0 - e->size;
    p->heap += sign > 0 ? e->size : 0 - e->size;
    return true;
}

static void note_peak(player *p, uint64_t time_ns) {
    replay *r = p->r;
    if (p->heap <= r->peak_bytes)
        return;
    r->peak_bytes = p->heap;
    r->peak_event = p->events;
    r->peak_time_ns = time_ns;
    p->peak_mark++;
}

/* One event; `counting`: the first pass, which keeps totals and the curve. */
static bool play(player *p, const capture_event *e, bool counting) {
    replay *r = p->r;
    uint64_t time_ns = curve_time(p, e->time_ns);
    if (e->tag == TAG_SAMPLE) {
        if (counting && e->rss > r->peak_rss) {
            r->peak_rss = e->rss;
            r->peak_rss_time_ns = time_ns;
        }
        if (counting)
            add_to_curve(p, time_ns, true, e->rss);
        return true;
    }
    if (!array_grow((void **)&p->stacks, &p->stack_capacity, (size_t)e->stack + 1,
                    sizeof *p->stacks) ||
        !array_grow((void **)&p->info_live, &p->info_capacity, (size_t)e->info + 1,
                    sizeof *p->info_live))
        return out_of_memory(p);
    switch (e->tag) {
    case TAG_ALLOC:
    case TAG_KEPT:
        p->events++;
        if (!change(p, e, +1))
            return false;
        if (counting && e->tag == TAG_ALLOC) {
            stack_state *s = &p->stacks[e->stack];
            s->allocated_bytes += e->size;
            s->allocated_blocks++;
            r->total_bytes += e->size;
            r->allocations++;
            r->size_classes[size_class(e->size)]++;
        } else if (counting && r->frees > 0) {
            r->frees--; /* the realloc that failed freed nothing */
        }
        if (counting)
            note_peak(p, time_ns);
        break;
    case TAG_FREE:
        p->events++;
        if (!change(p, e, -1))
            return false;
        r->frees += counting;
        r->temporary += counting && e->temporary;
        break;
    case TAG_BUFFER: {
        stack_state *s = &p->stacks[e->stack];
        if (p->info_live[e->info] > 0 && s->library_bytes + e->size <= s->bytes) {
            s->library_bytes += e->size;
            s->library_blocks++;
        }
        return true;
    }
    default:
        return true;
    }
    if (counting)
        add_to_curve(p, time_ns, false, 0);
    return true;
}

static void stop_playing(player *p) {
    free(p->stacks);
    free(p->info_live);
    free(p->dirty);
}

/* ---- the first pass */

static bool gather(player *p) {
    replay *r = p->r;
    size_t stacks = (size_t)p->c->stack_count + 1;
    r->stack_count = p->c->stack_count;
    r->at_peak = calloc(stacks, sizeof *r->at_peak);
    r->leaked = calloc(stacks, sizeof *r->leaked);
    r->library = calloc(stacks, sizeof *r->library);
    r->allocated = calloc(stacks, sizeof *r->allocated);
    if (!r->at_peak || !r->leaked || !r->library || !r->allocated ||
        !array_grow((void **)&p->stacks, &p->stack_capacity, stacks, sizeof *p->stacks))
        return out_of_memory(p);
    for (size_t id = 0; id < stacks; id++) {
        const stack_state *s = &p->stacks[id];
        bool saved = s->peak_mark == p->peak_mark && p->peak_mark != 0;
        r->at_peak[id] = saved ? (stack_figures){s->peak_bytes, s->peak_blocks}
                               : (stack_figures){s->bytes, s->blocks};
        r->library[id] = (stack_figures){s->library_bytes, s->library_blocks};
        r->leaked[id] = (stack_figures){s->bytes - s->library_bytes, s->blocks - s->library_blocks};
        r->allocated[id] = (stack_figures){s->allocated_bytes, s->allocated_blocks};
        r->leaked_bytes += r->leaked[id].bytes;
        r->leaked_blocks += r->leaked[id].blocks;
        r->library_bytes += s->library_bytes;
        r->library_blocks += s->library_blocks;
    }
    return true;
}

bool replay_run(capture *c, replay *r, char error[CAPTURE_ERROR]) {
    *r = (replay){.slice_ns = FIRST_SLICE_NS};
    error[0] = '\0';
    player p = {.c = c, .r = r, .error = error};
    capture_event e;
    bool ok = true;
    while (ok && capture_next(c, &e))
        ok = play(&p, &e, true);
    if (c->failed)
        snprintf(error, CAPTURE_ERROR, "%s", c->error);
    ok = ok && !c->failed && gather(&p);
    r->events = p.events;
    r->duration_ns = c->time_ns;
    if (r->curve_count > 0 && r->curve[r->curve_count - 1].time_ns > r->duration_ns)
        r->duration_ns = r->curve[r->curve_count - 1].time_ns;
    stop_playing(&p);
    return ok;
}

void replay_count_as_library(replay *r, uint32_t id) {
    r->leaked_bytes -= r->leaked[id].bytes;
    r->leaked_blocks -= r->leaked[id].blocks;
    r->library_bytes += r->leaked[id].bytes;
    r->library_blocks += r->leaked[id].blocks;
    r->library[id].bytes += r->leaked[id].bytes;
    r->library[id].blocks += r->leaked[id].blocks;
    r->leaked[id] = (stack_figures){0, 0};
}

void replay_free(replay *r) {
    free(r->at_peak);
    free(r->leaked);
    free(r->library);
    free(r->allocated);
    *r = (replay){0};
}

/* ---- the second pass: snapshots */

static bool take_snapshot(player *p, snapshots *s) {
    if (s->entry_count + p->dirty_count > SNAPSHOT_MAX_ENTRIES) {
        s->truncated = true;
        return false;
    }
    if (!array_grow((void **)&s->entries, &s->entry_capacity, s->entry_count + p->dirty_count,
                    sizeof *s->entries))
        return out_of_memory(p);
    for (size_t i = 0; i < p->dirty_count; i++) {
        stack_state *state = &p->stacks[p->dirty[i]];
        s->entries[s->entry_count++] =
            (snapshot_entry){.stack = p->dirty[i], .bytes = state->bytes, .blocks = state->blocks};
        state->dirty = false;
    }
    p->dirty_count = 0;
    s->first[++s->count] = s->entry_count;
    return true;
}

bool replay_snapshots(capture *c, const replay *r, snapshots *s, char error[CAPTURE_ERROR]) {
    *s = (snapshots){0};
    error[0] = '\0';
    replay scratch = {.peak_event = UINT64_MAX}; /* no peak is tracked in this pass */
    player p = {.c = c, .r = &scratch, .error = error};
    size_t stacks = (size_t)c->stack_count + 1;
    s->first = calloc(r->curve_count + 1, sizeof *s->first);
    p.dirty = calloc(stacks, sizeof *p.dirty);
    p.dirty_capacity = stacks;
    bool ok = s->first != NULL && p.dirty != NULL && capture_rewind(c);
    capture_event e;
    /* The snapshot of point i is taken after its event: before the next
     * event is played, or at the end. */
    while (ok && s->count < r->curve_count) {
        if (p.events >= r->curve[s->count].event) {
            ok = take_snapshot(&p, s);
            continue;
        }
        if (!capture_next(c, &e))
            break;
        ok = play(&p, &e, false);
    }
    while (ok && s->count < r->curve_count) /* points after the last event */
        ok = take_snapshot(&p, s);
    if (c->failed)
        snprintf(error, CAPTURE_ERROR, "%s", c->error);
    else if (error[0] == '\0' && (s->first == NULL || p.dirty == NULL))
        out_of_memory(&p);
    stop_playing(&p);
    return !c->failed && error[0] == '\0';
}

void snapshots_free(snapshots *s) {
    free(s->first);
    free(s->entries);
    *s = (snapshots){0};
}
