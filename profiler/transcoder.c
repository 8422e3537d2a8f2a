/* transcoder.c: a preload's stream into a capture's records
 * (transcoder.h). */
#include "transcoder.h"

#include "addrmap.h"
#include "array.h"
#include "capture.h"
#include "records.h"
#include "replay.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    /* Flushed when this full; one more record of any kind still fits. */
    OUTPUT_BYTES = 64 * 1024,
    /* Frees remembered, for a realloc that fails after its 'F' ('K'): it
     * comes from the same thread, a few records later at most. */
    RECENT_FREES = 64,
    INITIAL_INFOS = 1 << 12,
};

/* The capture's clock (its 'T' records, and its ticks: write_tick()) is
 * coarser than the preload's, and coarser as the run goes on: a multiple
 * of MIN_QUANTUM_NS, at most the time so far over QUANTA_SO_FAR.  The
 * page's curve cuts a whole run into replay.h's CURVE_POINTS slices, none
 * finer than a tick once the run is past CURVE_POINTS * MIN_QUANTUM_NS,
 * so each slice still has its highest heap and what was live then; what the capture saves is a 'T'
 * every preload tick (about 10 us) of a busy program, and the order of the events within a tick
 * (the longer the tick, the more events a 'G' counts). */
static const uint64_t MIN_QUANTUM_NS = 10000;
enum { QUANTA_SO_FAR = CURVE_POINTS };

typedef struct info_slot {
    uint64_t size;
    uint32_t stack, id; /* id 0: empty */
} info_slot;

/* The events of a tick, counted by info (capture.h's 'G'), in two parts:
 * before the tick's highest heap and after it. */
enum part { BEFORE_TOP, AFTER_TOP, PARTS };

typedef struct tally {
    uint64_t size; /* of the info's blocks */
    uint32_t count[PARTS][CAPTURE_GROUP_KINDS];
    bool listed[PARTS];
} tally;

typedef struct part_list {
    uint32_t *infos; /* the infos with a count in the part, in no order */
    size_t count, capacity;
} part_list;

typedef struct recent_free {
    uint64_t address;
    uint32_t info;
} recent_free;

struct transcoder {
    addrmap live;
    info_slot *infos; /* (size, stack) -> id */
    size_t info_mask;
    uint32_t info_count;
    uint64_t stack_count; /* stacks the stream has written */
    uint64_t last_address;
    uint64_t last_frame;      /* the last return address of the last 'S' written */
    uint32_t last_event_info; /* of the last 'A' or 'F' written */
    /* The address of the last 'A' while no 'F' has followed it, else 0. */
    uint64_t last_allocated;
    uint64_t time_ns, written_ns; /* the preload's time, and the capture's */
    recent_free recent[RECENT_FREES];
    unsigned recent_next;
    /* The tick being counted (write_tick()): the heap now and the highest
     * it has been in the tick; the allocation that made it highest (0 if
     * none did) and whether its free came next ('t'); what the last event
     * was; and whether the last thing written is an allocation a 't' may
     * follow. */
    tally *tallies; /* [info] */
    size_t info_capacity;
    part_list parts[PARTS];
    uint32_t *sorting; /* room for sort_infos() */
    size_t sorting_capacity;
    uint64_t heap, top;
    uint32_t top_info, last_allocated_info;
    bool top_freed_at_once, last_was_top, full, allocation_written_last;
    transcoder_sink *sink;
    void *context;
    /* What naming the frames at the end needs (frame_names.h): every
     * return address of a stack, once, and every module. */
    addrmap frames;
    capture_module *modules;
    size_t module_count, module_capacity;
    /* The program the process was last about to exec, if that exec did
     * not fail: "" if none (capture.h's 'x'); and its vfork()ed children's. */
    char exec_path[CAPTURE_MAX_PATH + 1];
    uint64_t pid; /* of the hello */
    transcoder_exec children[TRANSCODER_CHILDREN];
    unsigned child_count;
    bool broken;
    char error[160];
    unsigned char output[OUTPUT_BYTES + CAPTURE_MAX_RECORD];
    size_t used;
};

transcoder *transcoder_new(void) { return calloc(1, sizeof(transcoder)); }

const char *transcoder_error(const transcoder *t) { return t->error; }

static void forget(transcoder *t) {
    addrmap_free(&t->live);
    addrmap_free(&t->frames);
    for (size_t i = 0; i < t->module_count; i++)
        free(t->modules[i].path);
    free(t->modules);
    t->modules = NULL;
    t->module_count = t->module_capacity = 0;
    free(t->infos);
    t->infos = NULL;
    t->info_mask = 0;
    t->info_count = 0;
    t->stack_count = 0;
    t->last_address = 0;
    t->last_frame = 0;
    t->last_event_info = 0;
    t->last_allocated = 0;
    t->time_ns = t->written_ns = 0;
    memset(t->recent, 0, sizeof t->recent);
    free(t->tallies);
    t->tallies = NULL;
    t->info_capacity = 0;
    free(t->sorting);
    t->sorting = NULL;
    t->sorting_capacity = 0;
    for (int i = 0; i < PARTS; i++) {
        free(t->parts[i].infos);
        t->parts[i] = (part_list){0};
    }
    t->heap = t->top = 0;
    t->top_info = t->last_allocated_info = 0;
    t->top_freed_at_once = t->last_was_top = t->full = t->allocation_written_last = false;
    t->exec_path[0] = '\0';
    t->pid = 0;
    transcoder_forget_children(t);
    t->broken = false;
    t->error[0] = '\0';
    t->used = 0;
}

void transcoder_reset(transcoder *t) { forget(t); }

void transcoder_free(transcoder *t) {
    if (t != NULL)
        forget(t);
    free(t);
}

static bool broken(transcoder *t, const char *why) {
    snprintf(t->error, sizeof t->error, "%s", why);
    t->broken = true;
    return false;
}

/* ---- infos */

static size_t info_home(const transcoder *t, uint64_t size, uint32_t stack) {
    uint64_t h = (size * UINT64_C(0x9E3779B97F4A7C15)) ^ (stack * UINT64_C(0xC2B2AE3D27D4EB4F));
    return (size_t)(h >> 24) & t->info_mask;
}

static info_slot *info_slot_of(const transcoder *t, uint64_t size, uint32_t stack) {
    size_t i = info_home(t, size, stack);
    while (t->infos[i].id != 0 && (t->infos[i].size != size || t->infos[i].stack != stack))
        i = (i + 1) & t->info_mask;
    return &t->infos[i];
}

static bool grow_infos(transcoder *t) {
    size_t count = t->infos ? 2 * (t->info_mask + 1) : INITIAL_INFOS;
    info_slot *old = t->infos;
    size_t old_count = old ? t->info_mask + 1 : 0;
    t->infos = calloc(count, sizeof *t->infos);
    if (t->infos == NULL) {
        t->infos = old;
        return false;
    }
    t->info_mask = count - 1;
    for (size_t i = 0; i < old_count; i++)
        if (old[i].id != 0)
            *info_slot_of(t, old[i].size, old[i].stack) = old[i];
    free(old);
    return true;
}

/* The id of (size, stack), writing its 'I' the first time; 0 if memory
 * runs out. */
static uint32_t info_id(transcoder *t, uint64_t size, uint32_t stack) {
    if ((t->infos == NULL || 2 * (t->info_count + 1) > t->info_mask + 1) && !grow_infos(t))
        return 0;
    info_slot *slot = info_slot_of(t, size, stack);
    if (slot->id == 0) {
        if (!array_grow((void **)&t->tallies, &t->info_capacity, (size_t)t->info_count + 2,
                        sizeof *t->tallies))
            return 0;
        t->tallies[t->info_count + 1].size = size;
        *slot = (info_slot){.size = size, .stack = stack, .id = ++t->info_count};
        unsigned char *p = t->output + t->used;
        *p++ = TAG_INFO;
        p = capture_put_varint(p, size);
        p = capture_put_varint(p, stack);
        t->used = (size_t)(p - t->output);
    }
    return slot->id;
}

/* ---- events */

static void put_event(transcoder *t, enum capture_tag tag, uint32_t info) {
    unsigned char *p = t->output + t->used;
    if (tag == TAG_ALLOC || tag == TAG_FREE) { /* written short (capture.h) */
        unsigned char kind = CAPTURE_SHORT_EVENT | (tag == TAG_FREE ? CAPTURE_SHORT_FREE : 0);
        if (info == t->last_event_info) {
            *p++ = kind | CAPTURE_SHORT_SAME;
        } else {
            uint32_t k = info % CAPTURE_SHORT_RADIX;
            if (k == 0)
                k = CAPTURE_SHORT_RADIX; /* 63 * q + 63, not 63 * (q + 1) + 0 */
            *p++ = (unsigned char)(kind | k);
            p = capture_put_varint(p, (info - k) / CAPTURE_SHORT_RADIX);
        }
        t->last_event_info = info;
    } else {
        *p++ = (unsigned char)tag;
        p = capture_put_varint(p, info);
    }
    t->used = (size_t)(p - t->output);
}

/* ---- a tick's events, counted (capture.h's 'G')
 *
 * A report needs, of a tick, what it allocated and freed by (size, stack)
 * pair, the highest the heap was in it and what was live then, not the
 * order of its events: writing their counts instead of each event saves
 * most of a busy program's capture.  The tick is written in two parts,
 * the events before the allocation that took the heap highest and those
 * after it, each as its frees of blocks from before it, then the blocks
 * it allocated and freed, then its temporary allocations, then the blocks
 * it allocated that are still live, which the reader hands out in that
 * order, and that allocation alone between them.  Played in that order no moment of a
 * part is higher than the heap at its start or its end, so the tick is
 * highest at the same allocation with the same blocks live: the peak,
 * what was live at it and at every point of the curve, the totals, the
 * leaks and the temporary allocations are what the events in their order
 * give.  An allocation that is the tick's last event is written alone,
 * last, so that its free may still be a temporary one ('t'). */

/* Hands the output to the sink once it is nearly full. */
static void make_room(transcoder *t) {
    if (t->used >= OUTPUT_BYTES) {
        t->sink(t->context, t->output, t->used);
        t->used = 0;
    }
}

static void count_event(transcoder *t, enum part part, enum capture_group_kind kind,
                        uint32_t info) {
    tally *y = &t->tallies[info];
    if (!y->listed[part]) {
        part_list *l = &t->parts[part];
        if (!array_grow((void **)&l->infos, &l->capacity, l->count + 1, sizeof *l->infos)) {
            broken(t, "out of memory");
            return;
        }
        l->infos[l->count++] = info;
        y->listed[part] = true;
    }
    if (++y->count[part][kind] >= CAPTURE_GROUP_MAX_COUNT)
        t->full = true; /* the tick ends early: no count nears its type's limit */
}

/* A free in `part` of a block of `info`: of one the part allocated, if
 * it still holds one, else of one from before it.  Which block of a pair
 * is freed is nothing a report can tell: the pair's live blocks are the
 * same. */
static void count_free(transcoder *t, enum part part, uint32_t info, enum capture_group_kind kind) {
    uint32_t *allocations = &t->tallies[info].count[part][CAPTURE_GROUP_ALLOCATIONS];
    if (*allocations > 0) {
        --*allocations;
        count_event(t, part, kind, info);
    } else {
        count_event(t, part, CAPTURE_GROUP_FREES, info);
    }
}

/* A higher heap than any before in the tick: the last highest allocation
 * and the events since come before it. */
static void new_top(transcoder *t, uint32_t info) {
    if (t->top_info != 0) {
        count_event(t, BEFORE_TOP, CAPTURE_GROUP_ALLOCATIONS, t->top_info);
        if (t->top_freed_at_once)
            count_free(t, BEFORE_TOP, t->top_info, CAPTURE_GROUP_TEMPORARIES);
    }
    part_list *after = &t->parts[AFTER_TOP];
    for (size_t i = 0; i < after->count; i++) {
        uint32_t id = after->infos[i];
        uint32_t *count = t->tallies[id].count[AFTER_TOP];
        for (; count[CAPTURE_GROUP_FREES] > 0; count[CAPTURE_GROUP_FREES]--)
            count_free(t, BEFORE_TOP, id, CAPTURE_GROUP_PASSING);
        for (int kind = CAPTURE_GROUP_PASSING; kind < CAPTURE_GROUP_KINDS; kind++)
            for (; count[kind] > 0; count[kind]--)
                count_event(t, BEFORE_TOP, (enum capture_group_kind)kind, id);
        t->tallies[id].listed[AFTER_TOP] = false;
    }
    after->count = 0;
    t->top_info = info;
    t->top_freed_at_once = false;
}

/* The part's infos in ascending order, by their bytes from the lowest
 * (a radix sort: a busy run writes thousands of ticks, each with
 * thousands of infos).  False if memory runs out. */
static bool sort_infos(transcoder *t, part_list *l) {
    if (l->count < 2)
        return true;
    if (!array_grow((void **)&t->sorting, &t->sorting_capacity, l->count, sizeof *t->sorting)) {
        broken(t, "out of memory");
        return false;
    }
    uint32_t *from = l->infos, *to = t->sorting;
    for (unsigned shift = 0; shift < 32 && (t->info_count >> shift) != 0; shift += 8) {
        size_t start[257] = {0};
        for (size_t i = 0; i < l->count; i++)
            start[((from[i] >> shift) & 0xff) + 1]++;
        for (int digit = 0; digit < 256; digit++)
            start[digit + 1] += start[digit];
        for (size_t i = 0; i < l->count; i++)
            to[start[(from[i] >> shift) & 0xff]++] = from[i];
        uint32_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != l->infos)
        memcpy(l->infos, from, l->count * sizeof *from);
    return true;
}

/* A tick's events too few to be worth a group are written one by one. */
enum { EVENTS_WRITTEN_ALONE = 2 };

/* The `events` of one kind of a part, by ascending info; their counts
 * are 0 after. */
static void write_kind(transcoder *t, enum part part, enum capture_group_kind kind,
                       uint64_t events) {
    const part_list *l = &t->parts[part];
    if (events == 0)
        return;
    if (events <= EVENTS_WRITTEN_ALONE) {
        for (size_t i = 0; i < l->count; i++)
            for (uint32_t *n = &t->tallies[l->infos[i]].count[part][kind]; *n > 0; --*n) {
                put_event(t, kind == CAPTURE_GROUP_FREES ? TAG_FREE : TAG_ALLOC, l->infos[i]);
                if (kind == CAPTURE_GROUP_TEMPORARIES)
                    t->output[t->used++] = TAG_TEMPORARY;
                else if (kind == CAPTURE_GROUP_PASSING)
                    put_event(t, TAG_FREE, l->infos[i]);
            }
        return;
    }
    size_t i = 0;
    while (events > 0) {
        unsigned char *p = t->output + t->used, *entries;
        *p++ = TAG_GROUP;
        *p++ = (unsigned char)kind;
        entries = p++;
        unsigned n = 0;
        uint32_t previous = 0;
        for (; i < l->count && n < CAPTURE_GROUP_ENTRIES; i++) {
            uint32_t info = l->infos[i], *count = &t->tallies[info].count[part][kind];
            if (*count == 0)
                continue;
            uint32_t taken = *count < CAPTURE_GROUP_MAX_COUNT ? *count : CAPTURE_GROUP_MAX_COUNT;
            p = capture_put_varint(p, info - previous);
            p = capture_put_varint(p, taken);
            previous = info;
            *count -= taken;
            events -= taken;
            n++;
        }
        if (i == l->count)
            i = 0; /* counts above a group's limit: the rest in later groups */
        *entries = (unsigned char)n;
        t->used = (size_t)(p - t->output);
        t->last_event_info = 0; /* the reader's "previous info" is none after a group */
        make_room(t);
    }
}

static void write_part(transcoder *t, enum part part) {
    part_list *l = &t->parts[part];
    if (!sort_infos(t, l))
        return;
    uint64_t events[CAPTURE_GROUP_KINDS] = {0};
    for (size_t i = 0; i < l->count; i++)
        for (int kind = 0; kind < CAPTURE_GROUP_KINDS; kind++)
            events[kind] += t->tallies[l->infos[i]].count[part][kind];
    for (int kind = 0; kind < CAPTURE_GROUP_KINDS; kind++)
        write_kind(t, part, (enum capture_group_kind)kind, events[kind]);
    for (size_t i = 0; i < l->count; i++)
        t->tallies[l->infos[i]].listed[part] = false;
    l->count = 0;
}

/* Writes the tick counted so far; the next begins. */
static void write_tick(transcoder *t) {
    if (t->broken)
        return;
    write_part(t, BEFORE_TOP);
    if (t->top_info != 0) {
        put_event(t, TAG_ALLOC, t->top_info);
        if (t->top_freed_at_once)
            t->output[t->used++] = TAG_TEMPORARY;
        make_room(t);
    }
    uint32_t last = t->last_was_top ? 0 : t->last_allocated_info;
    if (last != 0)
        t->tallies[last].count[AFTER_TOP][CAPTURE_GROUP_ALLOCATIONS]--;
    write_part(t, AFTER_TOP);
    if (last != 0)
        put_event(t, TAG_ALLOC, last);
    t->allocation_written_last = last != 0 || t->last_was_top || t->allocation_written_last;
    t->top = t->heap;
    t->top_info = 0;
    t->top_freed_at_once = t->last_was_top = t->full = false;
    t->last_allocated_info = 0;
}

static void counted_allocation(transcoder *t, uint32_t info) {
    t->allocation_written_last = false;
    t->heap += t->tallies[info].size;
    t->last_was_top = t->heap > t->top;
    if (t->last_was_top) {
        t->top = t->heap;
        new_top(t, info);
    } else {
        count_event(t, AFTER_TOP, CAPTURE_GROUP_ALLOCATIONS, info);
    }
    t->last_allocated_info = info;
    if (t->full)
        write_tick(t);
}

/* A free; `temporary` if its block is the one the last event allocated. */
static void counted_free(transcoder *t, uint32_t info, bool temporary) {
    t->heap -= t->tallies[info].size;
    if (temporary && t->allocation_written_last) { /* its 'A' ended the last tick */
        t->output[t->used++] = TAG_TEMPORARY;
        t->last_event_info = info;
    } else if (temporary && t->last_was_top) {
        t->top_freed_at_once = true;
    } else {
        count_free(t, AFTER_TOP, info,
                   temporary ? CAPTURE_GROUP_TEMPORARIES : CAPTURE_GROUP_PASSING);
    }
    t->last_was_top = t->allocation_written_last = false;
    t->last_allocated_info = 0;
    if (t->full)
        write_tick(t);
}

/* An allocation: the address difference, size and stack of its record. */
static bool allocated(transcoder *t, const uint64_t number[3]) {
    uint64_t address = record_address(t->last_address, number[0]);
    t->last_address = address;
    if (address == 0 || number[2] > t->stack_count)
        return broken(t, address == 0 ? "an allocation at address 0"
                                      : "an allocation with a stack never written");
    uint32_t info = info_id(t, number[1], (uint32_t)number[2]), replaced;
    if (info == 0 || !addrmap_put(&t->live, address, info, &replaced))
        return broken(t, "out of memory");
    if (replaced != 0) /* its free was not seen (freed by a path no hook sees) */
        counted_free(t, replaced, false);
    counted_allocation(t, info);
    t->last_allocated = address;
    return !t->broken;
}

static void freed(transcoder *t, uint64_t difference) {
    uint64_t address = record_address(t->last_address, difference);
    t->last_address = address;
    uint32_t info;
    /* A block allocated before recording began (by the dynamic linker's
     * own allocator) is not known: its free is nothing to report. */
    if (!addrmap_take(&t->live, address, &info))
        return;
    t->recent[t->recent_next++ % RECENT_FREES] = (recent_free){address, info};
    bool temporary = address == t->last_allocated;
    t->last_allocated = 0;
    counted_free(t, info, temporary);
}

/* A failed realloc's block, live again: written as it is, after the tick
 * so far. */
static bool kept(transcoder *t, const record *r) {
    uint64_t address = record_address(t->last_address, r->number[0]);
    t->last_address = address;
    for (unsigned i = 1; i <= RECENT_FREES; i++) {
        recent_free *f = &t->recent[(t->recent_next - i) % RECENT_FREES];
        if (f->address != address || f->info == 0)
            continue;
        uint32_t replaced;
        if (!addrmap_put(&t->live, address, f->info, &replaced))
            return broken(t, "out of memory");
        write_tick(t);
        put_event(t, TAG_KEPT, f->info);
        t->heap += t->tallies[f->info].size;
        if (t->heap > t->top)
            t->top = t->heap;
        f->info = 0;
        break;
    }
    return true;
}

static void library_buffer(transcoder *t, const record *r) {
    uint32_t info; /* an absolute address: written once, at exit */
    if (addrmap_find(&t->live, r->number[0], &info)) {
        write_tick(t);
        put_event(t, TAG_BUFFER, info);
    }
}

/* ---- time */

/* A 'T' of the preload, `difference` ns after its last: a 'T' of the
 * capture only if the time on the capture's clock has changed. */
static void moved_on(transcoder *t, uint64_t difference) {
    t->time_ns += difference;
    uint64_t quantum = MIN_QUANTUM_NS;
    while (quantum <= t->time_ns / QUANTA_SO_FAR / 2)
        quantum *= 2;
    uint64_t now = t->time_ns - t->time_ns % quantum;
    if (now <= t->written_ns)
        return;
    write_tick(t); /* the events so far happened before `now` */
    unsigned char *p = t->output + t->used;
    *p++ = TAG_TIME;
    p = capture_put_varint(p, now - t->written_ns);
    t->used = (size_t)(p - t->output);
    t->written_ns = now;
}

/* ---- what names the frames */

static bool note_frames(transcoder *t, const record *r) {
    uint32_t replaced;
    for (size_t i = 0; i < r->depth; i++)
        if (r->frames[i] != 0 && !addrmap_put(&t->frames, r->frames[i], 1, &replaced))
            return broken(t, "out of memory");
    return true;
}

/* A module, unless a map listed it before (each dlopen lists them all). */
static bool note_module(transcoder *t, const record *r) {
    for (size_t i = 0; i < t->module_count; i++) {
        const capture_module *m = &t->modules[i];
        if (m->bias == r->number[0] && strlen(m->path) == r->text_length &&
            memcmp(m->path, r->text, r->text_length) == 0)
            return true;
    }
    capture_module m = {.bias = r->number[0],
                        .start = r->number[1],
                        .size = r->number[2],
                        .build_id_length = (unsigned)r->build_id_length};
    memcpy(m.build_id, r->build_id, r->build_id_length);
    if (t->module_count == CAPTURE_MAX_MODULES || r->text_length == 0)
        return true; /* the reader refuses such a capture anyway */
    if (!array_grow((void **)&t->modules, &t->module_capacity, t->module_count + 1,
                    sizeof *t->modules) ||
        (m.path = strndup((const char *)r->text, r->text_length)) == NULL)
        return broken(t, "out of memory");
    t->modules[t->module_count++] = m;
    return true;
}

static int by_address(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

uint64_t *transcoder_addresses(const transcoder *t, size_t *count) {
    uint64_t *addresses = malloc((t->frames.used + 1) * sizeof *addresses);
    *count = addresses != NULL ? t->frames.used : 0;
    if (addresses != NULL)
        addrmap_addresses(&t->frames, addresses);
    if (*count > 1)
        qsort(addresses, *count, sizeof *addresses, by_address);
    return addresses;
}

/* An 'S' as a capture has it: each return address its difference from
 * the one before (capture.h), which repeat from stack to stack where the
 * whole addresses do not. */
static bool put_stack(transcoder *t, const record *r) {
    unsigned char *p = t->output + t->used;
    *p++ = TAG_STACK;
    p = capture_put_varint(p, r->number[0]);
    p = capture_put_varint(p, r->depth);
    for (size_t i = 0; i < r->depth; i++) {
        p = capture_put_varint(p, capture_zigzag(r->frames[i] - t->last_frame));
        t->last_frame = r->frames[i];
    }
    t->used = (size_t)(p - t->output);
    return true;
}

/* A vfork()ed child's exec: remembered until it fails. */
static bool child_exec(transcoder *t, const record *r) {
    unsigned i = 0;
    while (i < t->child_count && (uint64_t)t->children[i].pid != r->number[0])
        i++;
    if (r->byte) { /* failed: the child goes on, in its parent's program */
        if (i < t->child_count) {
            free(t->children[i].path);
            t->children[i] = t->children[--t->child_count];
        }
        return true;
    }
    if (i == TRANSCODER_CHILDREN)
        return true; /* more children exec'ing at once than it follows */
    char *path = strndup((const char *)r->text, r->text_length);
    if (path == NULL)
        return broken(t, "out of memory");
    if (i < t->child_count)
        free(t->children[i].path);
    else
        t->child_count++;
    t->children[i] = (transcoder_exec){(pid_t)r->number[0], path};
    return true;
}

const transcoder_exec *transcoder_children(const transcoder *t, size_t *count) {
    *count = t->child_count;
    return t->children;
}

void transcoder_forget_children(transcoder *t) {
    for (unsigned i = 0; i < t->child_count; i++)
        free(t->children[i].path);
    t->child_count = 0;
}

const char *transcoder_exec_pending(const transcoder *t) {
    return t->exec_path[0] != '\0' ? t->exec_path : NULL;
}

const capture_module *transcoder_modules(const transcoder *t, size_t *count) {
    *count = t->module_count;
    return t->modules;
}

/* One record; the others than events are copied as they are. */
static bool transcode(transcoder *t, const unsigned char *p, const record *r) {
    switch (r->tag) {
    case TAG_ALLOC:
        return allocated(t, r->number);
    case TAG_FREE:
        freed(t, r->number[0]);
        return true;
    case TAG_KEPT:
        return kept(t, r);
    case TAG_BUFFER:
        library_buffer(t, r);
        return true;
    case TAG_STACK:
        if (r->number[0] != t->stack_count + 1)
            return broken(t, "stacks out of order");
        t->stack_count++;
        return note_frames(t, r) && put_stack(t, r);
    case TAG_MODULE: /* written at the end, if a frame is in it (frame_names.h) */
        return note_module(t, r);
    case TAG_MODULE_MAP: /* the reader needs none: the modules come at the end */
        return true;
    case TAG_TIME:
        moved_on(t, r->number[0]);
        return true;
    case TAG_EXEC: /* heapbook run's to know, not the capture's */
        if (r->number[0] == t->pid)
            snprintf(t->exec_path, sizeof t->exec_path, "%.*s", r->byte ? 0 : (int)r->text_length,
                     (const char *)r->text);
        else
            return child_exec(t, r);
        return true;
    case TAG_HELLO:
        t->pid = r->number[0];
        break;
    case TAG_END:
    case TAG_SAMPLE: /* after the events before it, which the tick so far counts */
        write_tick(t);
        break;
    default: /* 'X' is the collector's own: it never comes from the preload */
        return broken(t, "a record the preload does not write");
    }
    memcpy(t->output + t->used, p, r->length);
    t->used += r->length;
    return true;
}

/* The two records the preload writes most, read here rather than by
 * record_parse(): the grammar of records.c for them ('F': the address;
 * 'A': the address, size and stack), without its general record.  True
 * with *p moved past it, or false for record_parse() to say what is wrong
 * with it. */
static bool fast_event(transcoder *t, const unsigned char **p, const unsigned char *end) {
    const unsigned char *at = *p + 1;
    uint64_t number[3];
    if (**p == TAG_FREE && record_varint(&at, end, &number[0])) {
        freed(t, number[0]);
    } else if (**p == TAG_ALLOC && record_varint(&at, end, &number[0]) &&
               record_varint(&at, end, &number[1]) && record_varint(&at, end, &number[2])) {
        if (!allocated(t, number))
            return false;
    } else {
        return false;
    }
    *p = at;
    return true;
}

/* The events ahead of the one being transcoded, read only for the
 * addresses they name, so that each one's bucket of the live set is
 * fetched from memory while the events before it are transcoded (the live
 * set of a busy program is megabytes: without this, each 'A' and 'F'
 * waits for memory).  A hint only: an address read wrong costs a useless
 * fetch, never a wrong match. */
typedef struct lookahead {
    const unsigned char *at; /* the first record not read yet */
    uint64_t address;        /* of the last event read */
} lookahead;

/* About ten events ahead: about the time of a fetch from memory. */
enum { LOOKAHEAD_BYTES = 64 };

/* Reads the 'A's, 'F's and 'T's up to LOOKAHEAD_BYTES past `p`.  At any
 * other record (rare) it waits until `p` is past it, and starts again from
 * there, with the address the transcoder has reached. */
static void look_ahead(const transcoder *t, lookahead *a, const unsigned char *p,
                       const unsigned char *end) {
    if (a->at < p) {
        a->at = p;
        a->address = t->last_address;
    }
    uint64_t number;
    while (a->at < end && a->at < p + LOOKAHEAD_BYTES) {
        unsigned char tag = *a->at;
        const unsigned char *at = a->at + 1;
        if (tag != TAG_TIME && tag != TAG_ALLOC && tag != TAG_FREE)
            return;
        if (!record_varint(&at, end, &number))
            return;
        if (tag != TAG_TIME) {
            a->address = record_address(a->address, number);
            addrmap_prefetch(&t->live, a->address);
        }
        if (tag == TAG_ALLOC &&
            !(record_varint(&at, end, &number) && record_varint(&at, end, &number)))
            return;
        a->at = at;
    }
}

bool transcoder_feed(transcoder *t, const unsigned char *data, size_t size, transcoder_sink *sink,
                     void *context) {
    const unsigned char *p = data, *end = data + size;
    lookahead ahead = {data, t->last_address};
    record r;
    t->sink = sink;
    t->context = context;
    while (!t->broken && p < end) {
        look_ahead(t, &ahead, p, end);
        if (!fast_event(t, &p, end) && !t->broken) {
            if (record_parse(p, end, FROM_PRELOAD, &r) != RECORD_OK) {
                broken(t, "bytes that are not the preload's records");
                break;
            }
            if (!transcode(t, p, &r))
                break;
            p += r.length;
        }
        if (t->used >= OUTPUT_BYTES) {
            sink(context, t->output, t->used);
            t->used = 0;
        }
    }
    if (t->used > 0)
        sink(context, t->output, t->used);
    t->used = 0;
    return !t->broken;
}

void transcoder_finish(transcoder *t, transcoder_sink *sink, void *context) {
    t->sink = sink;
    t->context = context;
    write_tick(t);
    if (t->used > 0 && !t->broken)
        sink(context, t->output, t->used);
    t->used = 0;
}
