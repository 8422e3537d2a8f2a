/* channel.c: the shared memory between producers and the collector
 * (channel.h).  Nothing here allocates: the producer's side runs inside the
 * program's malloc. */
#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum {
    CHANNEL_MAGIC = 0x48424348, /* "HCBH" */
    /* How long a producer waits for a free chunk before it checks that the
     * collector is still there. */
    PRODUCER_WAIT_MS = 50,
};

/* The futexes are shared between processes: no FUTEX_PRIVATE_FLAG. */
static void futex_wait(_Atomic uint32_t *word, uint32_t expected, int timeout_ms) {
    struct timespec timeout = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};
    syscall(SYS_futex, word, FUTEX_WAIT, expected, &timeout, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word) {
    syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* ======================================================================
 * The producer's side */

bool channel_attach(channel_writer *w, const char *path, char *error, size_t size) {
    *w = (channel_writer){0};
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(error, size, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    void *mapped = MAP_FAILED;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size == sizeof(channel_shared))
        mapped = mmap(NULL, sizeof(channel_shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd); /* the mapping stays: the program never sees this descriptor */
    if (mapped == MAP_FAILED || ((channel_shared *)mapped)->magic != CHANNEL_MAGIC) {
        if (mapped != MAP_FAILED)
            munmap(mapped, sizeof(channel_shared));
        snprintf(error, size, "%s is not heapbook's channel", path);
        return false;
    }
    w->shared = mapped;
    return true;
}

static bool collector_gone(const channel_shared *s) {
    return !atomic_load_explicit(&s->collector_open, memory_order_acquire) ||
           (kill(s->collector_pid, 0) != 0 && errno == ESRCH);
}

bool channel_begin_stream(channel_writer *w) {
    if (w->shared == NULL || collector_gone(w->shared))
        return false;
    uint32_t stream = atomic_fetch_add(&w->shared->next_stream, 1);
    if (stream >= CHANNEL_MAX_STREAMS)
        return false;
    w->stream = stream;
    w->sequence = 0;
    w->chunk = NULL;
    w->used = 0;
    return true;
}

static channel_chunk *claim_free_chunk(channel_shared *s) {
    for (uint32_t i = 0; i < s->chunk_count; i++) {
        uint32_t state = CHUNK_FREE;
        if (atomic_load_explicit(&s->chunks[i].state, memory_order_relaxed) == CHUNK_FREE &&
            atomic_compare_exchange_strong(&s->chunks[i].state, &state, CHUNK_CLAIMED))
            return &s->chunks[i];
    }
    return NULL;
}

/* A free chunk, waiting for the collector to free one if need be; NULL if
 * the collector is gone. */
static channel_chunk *next_chunk(channel_writer *w) {
    channel_shared *s = w->shared;
    for (;;) {
        uint32_t released = atomic_load(&s->released);
        channel_chunk *chunk = claim_free_chunk(s);
        if (chunk != NULL)
            return chunk;
        if (collector_gone(s))
            return NULL;
        atomic_fetch_add(&s->producers_waiting, 1);
        futex_wait(&s->released, released, PRODUCER_WAIT_MS);
        atomic_fetch_sub(&s->producers_waiting, 1);
    }
}

static void publish(channel_shared *s) {
    atomic_fetch_add_explicit(&s->published, 1, memory_order_release);
    if (atomic_load(&s->collector_waiting))
        futex_wake(&s->published);
}

void channel_nudge(channel_writer *w) {
    if (w->shared != NULL)
        publish(w->shared);
}

void channel_flush(channel_writer *w, bool last) {
    if (w->chunk == NULL)
        return;
    w->chunk->last = last;
    atomic_store_explicit(&w->chunk->state, CHUNK_FULL, memory_order_release);
    w->chunk = NULL;
    publish(w->shared);
}

unsigned char *channel_reserve(channel_writer *w, size_t bytes) {
    if (w->chunk != NULL && w->used + bytes <= CHANNEL_CHUNK_BYTES)
        return w->chunk->data + w->used;
    channel_flush(w, false);
    channel_chunk *chunk = w->shared && w->stream ? next_chunk(w) : NULL;
    if (chunk == NULL)
        return NULL;
    size_t index = (size_t)(chunk - w->shared->chunks);
    w->touched |= UINT64_C(1) << index;
    chunk->stream = w->stream;
    chunk->sequence = w->sequence++;
    chunk->pid = (uint32_t)getpid();
    chunk->last = 0;
    chunk->producer_touched = (uint64_t)__builtin_popcountll(w->touched) * sizeof(channel_chunk) +
                              sizeof(channel_shared) - sizeof w->shared->chunks;
    atomic_store_explicit(&chunk->committed, 0, memory_order_relaxed);
    atomic_store_explicit(&chunk->state, CHUNK_FILLING, memory_order_release);
    w->chunk = chunk;
    w->used = 0;
    return chunk->data;
}

void channel_commit(channel_writer *w, const unsigned char *end) {
    w->used = (uint32_t)(end - w->chunk->data);
    atomic_store_explicit(&w->chunk->committed, w->used, memory_order_release);
}

void channel_forget_chunk(channel_writer *w) {
    w->chunk = NULL;
    w->used = 0;
    w->touched = 0; /* a forked child has touched none of the shared pages yet */
}

/* ======================================================================
 * The collector's side */

bool channel_create(channel_collector *c, char *error, size_t size) {
    *c = (channel_collector){.fd = -1};
    c->next_sequence = calloc(CHANNEL_MAX_STREAMS, sizeof *c->next_sequence);
    c->fd = memfd_create("heapbook-channel", MFD_CLOEXEC);
    if (c->next_sequence == NULL || c->fd < 0 || ftruncate(c->fd, sizeof(channel_shared)) != 0) {
        snprintf(error, size, "cannot create the channel to the recorded program: %s",
                 strerror(errno));
        return false;
    }
    void *mapped = mmap(NULL, sizeof(channel_shared), PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
    if (mapped == MAP_FAILED) {
        snprintf(error, size, "cannot map the channel to the recorded program: %s",
                 strerror(errno));
        return false;
    }
    c->shared = mapped;
    c->shared->chunk_count = CHANNEL_CHUNKS;
    c->shared->collector_pid = (int32_t)getpid();
    atomic_store(&c->shared->next_stream, 1);
    atomic_store(&c->shared->collector_open, 1);
    c->shared->magic = CHANNEL_MAGIC;
    snprintf(c->path, sizeof c->path, "/proc/%d/fd/%d", (int)getpid(), c->fd);
    return true;
}

void channel_wait(channel_collector *c, int timeout_ms) {
    channel_shared *s = c->shared;
    uint32_t seen = atomic_load(&s->published);
    atomic_store(&s->collector_waiting, 1);
    futex_wait(&s->published, seen, timeout_ms);
    atomic_store(&s->collector_waiting, 0);
}

static void release_chunk(channel_collector *c, uint32_t index) {
    channel_shared *s = c->shared;
    c->consumed[index] = 0;
    atomic_store_explicit(&s->chunks[index].state, CHUNK_FREE, memory_order_release);
    atomic_fetch_add(&s->released, 1);
    if (atomic_load(&s->producers_waiting))
        futex_wake(&s->released);
}

/* Copies what chunk `index` holds beyond what was copied before; true if
 * it was full and is now free for another producer. */
static bool drain_chunk(channel_collector *c, uint32_t index, channel_sink *sink, void *context,
                        size_t *bytes) {
    channel_chunk *chunk = &c->shared->chunks[index];
    uint32_t state = atomic_load_explicit(&chunk->state, memory_order_acquire);
    uint32_t committed = atomic_load_explicit(&chunk->committed, memory_order_acquire);
    if (committed > CHANNEL_CHUNK_BYTES) /* a producer gone wrong: drop what it wrote */
        committed = c->consumed[index];
    size_t fresh = committed > c->consumed[index] ? committed - c->consumed[index] : 0;
    if (fresh > 0 || state == CHUNK_FULL)
        sink(context, chunk, chunk->data + c->consumed[index], fresh, state == CHUNK_FULL);
    *bytes += fresh;
    c->consumed[index] += (uint32_t)fresh;
    if (state != CHUNK_FULL)
        return false;
    c->next_sequence[chunk->stream]++;
    release_chunk(c, index);
    return true;
}

size_t channel_drain(channel_collector *c, channel_sink *sink, void *context) {
    size_t bytes = 0;
    /* A stream's next chunk may sit anywhere: go round until no chunk that
     * is next in its stream is left. */
    for (bool progress = true; progress;) {
        progress = false;
        for (uint32_t i = 0; i < CHANNEL_CHUNKS; i++) {
            channel_chunk *chunk = &c->shared->chunks[i];
            uint32_t state = atomic_load_explicit(&chunk->state, memory_order_acquire);
            if (state != CHUNK_FILLING && state != CHUNK_FULL)
                continue;
            if (chunk->stream >= CHANNEL_MAX_STREAMS ||
                chunk->sequence != c->next_sequence[chunk->stream])
                continue;
            if (drain_chunk(c, i, sink, context, &bytes))
                progress = true;
        }
    }
    return bytes;
}

void channel_release_stream(channel_collector *c, uint32_t stream) {
    for (uint32_t i = 0; i < CHANNEL_CHUNKS; i++) {
        channel_chunk *chunk = &c->shared->chunks[i];
        uint32_t state = atomic_load_explicit(&chunk->state, memory_order_acquire);
        if ((state == CHUNK_FILLING || state == CHUNK_FULL) && chunk->stream == stream)
            release_chunk(c, i);
    }
}

void channel_close(channel_collector *c) {
    if (c->shared != NULL) {
        atomic_store(&c->shared->collector_open, 0);
        futex_wake(&c->shared->released);
        munmap(c->shared, sizeof(channel_shared));
    }
    if (c->fd >= 0)
        close(c->fd);
    free(c->next_sequence);
    *c = (channel_collector){.fd = -1};
}
