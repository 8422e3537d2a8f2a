/* transcoder.c: a preload's stream into a capture's records
 * (transcoder.h). */
#include "transcoder.h"

#include "addrmap.h"
#include "array.h"
#include "capture.h"
#include "records.h"

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

/* The capture's clock (its 'T' records) is coarser than the preload's,
 * and coarser as the run goes on: a multiple of MIN_QUANTUM_NS, at most
 * the time so far over QUANTA_SO_FAR.  The page's curve cuts a whole run
 * into replay.h's CURVE_POINTS slices, ten times coarser, so nothing drawn
 * changes; what the capture saves is a 'T' every preload tick (about
 * 10 us) of a busy program, which did not compress and made most of a
 * small program's capture. */
static const uint64_t MIN_QUANTUM_NS = 10000;
enum { QUANTA_SO_FAR = 6000 };

typedef struct info_slot {
    uint64_t size;
    uint32_t stack, id; /* id 0: empty */
} info_slot;

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
    uint32_t last_event_info; /* of the last 'A' or 'F' written */
    /* The address of the last 'A' while no 'F' has followed it, else 0. */
    uint64_t last_allocated;
    uint64_t time_ns, written_ns; /* the preload's time, and the capture's */
    recent_free recent[RECENT_FREES];
    unsigned recent_next;
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
    t->last_event_info = 0;
    t->last_allocated = 0;
    t->time_ns = t->written_ns = 0;
    memset(t->recent, 0, sizeof t->recent);
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
        put_event(t, TAG_FREE, replaced);
    t->last_allocated = 0;
    put_event(t, TAG_ALLOC, info);
    t->last_allocated = address;
    return true;
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
    if (temporary) { /* one byte, its info implied */
        t->output[t->used++] = TAG_TEMPORARY;
        t->last_event_info = info;
        return;
    }
    put_event(t, TAG_FREE, info);
}

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
        put_event(t, TAG_KEPT, f->info);
        f->info = 0;
        break;
    }
    return true;
}

static void library_buffer(transcoder *t, const record *r) {
    uint32_t info; /* an absolute address: written once, at exit */
    if (addrmap_find(&t->live, r->number[0], &info))
        put_event(t, TAG_BUFFER, info);
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
        if (!note_frames(t, r))
            return false;
        break;
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
    case TAG_SAMPLE:
    case TAG_END:
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
