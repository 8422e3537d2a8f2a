/* channel: the shared memory between the recorded processes and
 * `heapbook run`, which turns what they record into capture files.
 *
 * heapbook run (the collector) creates it as a memfd: a header and
 * CHANNEL_CHUNKS chunks.  A recorded process (a producer: the preload)
 * opens it at its first allocation through /proc/COLLECTOR/fd/N (the path
 * in HEAPBOOK_CHANNEL), maps it and closes the descriptor at once.  So:
 *
 *   - the program never holds a descriptor of heapbook's: one that closes
 *     its descriptors and opens a file can never have records written
 *     into that file;
 *   - what a process wrote stays in the mapping however the process ends
 *     (a crash, _exit, SIGKILL): the collector reads it all;
 *   - the collector compresses and writes on its own core.
 *
 * A process's records form a stream (capture.h), numbered when it starts.
 * The producer fills one chunk at a time: it claims a free chunk, appends
 * whole records, and after each one publishes how many bytes are complete
 * (`committed`), so the collector can copy a chunk that is still being
 * filled, and never half a record.  A full chunk goes back to the
 * collector, which hands it out again once it has copied it.  When every
 * chunk is taken the producer waits for one (a futex); it stops recording,
 * instead of waiting for ever, if the collector is gone.
 *
 * The chunks of a stream are numbered; the collector copies them in that
 * order, whatever order they sit in. */
#ifndef HEAPBOOK_CHANNEL_H
#define HEAPBOOK_CHANNEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
    CHANNEL_CHUNK_BYTES = 64 * 1024, /* more than the longest record (capture.h) */
    /* 16 MiB of address space, of which a process touches the few chunks
     * it fills (a producer takes the first free one, and the collector
     * frees them as fast as they fill): enough for 256 processes
     * recording at once, each with a chunk in hand. */
    CHANNEL_CHUNKS = 256,
    CHANNEL_MAX_STREAMS = 1 << 16,
};

enum chunk_state {
    CHUNK_FREE,
    CHUNK_CLAIMED, /* a producer is setting it up: not to be read yet */
    CHUNK_FILLING,
    CHUNK_FULL,
};

typedef struct channel_chunk {
    _Atomic uint32_t state;
    _Atomic uint32_t committed; /* bytes of whole records in data */
    uint32_t stream, sequence;  /* whose, and which of its chunks */
    uint32_t pid;               /* the producer's process */
    uint32_t last;              /* the stream ends with this chunk (after 'E') */
    /* Bytes of the channel this producer has written into so far: they are
     * resident in its memory too, and not the program's (collector.c takes
     * them out of the resident set size it samples). */
    uint64_t producer_touched;
    unsigned char data[CHANNEL_CHUNK_BYTES];
} channel_chunk;

typedef struct channel_shared {
    uint32_t magic, chunk_count;
    int32_t collector_pid;
    _Atomic uint32_t collector_open;    /* 0 once the collector has finished */
    _Atomic uint32_t next_stream;       /* the next stream's number */
    _Atomic uint32_t published;         /* counts chunks filled: the collector waits on it */
    _Atomic uint32_t collector_waiting; /* so a producer wakes it only then */
    _Atomic uint32_t released;          /* counts chunks freed: producers wait on it */
    _Atomic uint32_t producers_waiting;
    channel_chunk chunks[CHANNEL_CHUNKS];
} channel_shared;

/* ---- the producer's side (the preload); not thread-safe: one writer, its
 * caller holds a lock */

typedef struct channel_writer {
    channel_shared *shared; /* NULL: not attached */
    uint32_t stream;        /* 0: no stream begun */
    uint32_t sequence;      /* of the next chunk */
    channel_chunk *chunk;   /* being filled, or NULL */
    uint32_t used;          /* bytes written into it */
    uint64_t touched;       /* bit i: this process has written chunk i */
} channel_writer;

/* Maps the channel at `path`.  False with a sentence in `error` if it
 * cannot be opened or is not a channel. */
bool channel_attach(channel_writer *w, const char *path, char *error, size_t size);

/* Starts a new stream (at the start, and in a forked child).  False if the
 * collector is gone or has handed out every stream number. */
bool channel_begin_stream(channel_writer *w);

/* Room for `bytes` (at most CHANNEL_CHUNK_BYTES) in the stream, or NULL if
 * the collector is gone.  Write the record there, then commit it. */
unsigned char *channel_reserve(channel_writer *w, size_t bytes);
void channel_commit(channel_writer *w, const unsigned char *end);

/* Wakes the collector to copy what is committed so far (a new stream). */
void channel_nudge(channel_writer *w);

/* Hands the chunk being filled to the collector; `last`: the stream ends. */
void channel_flush(channel_writer *w, bool last);

/* In a forked child: the chunk being filled is the parent's, not ours. */
void channel_forget_chunk(channel_writer *w);

/* ---- the collector's side (heapbook run) */

typedef struct channel_collector {
    channel_shared *shared;
    int fd;
    char path[64]; /* what producers open: /proc/PID/fd/N */
    uint32_t consumed[CHANNEL_CHUNKS];
    uint32_t *next_sequence; /* per stream */
} channel_collector;

/* Creates the channel.  False with a sentence in `error`. */
bool channel_create(channel_collector *c, char *error, size_t size);

/* Sleeps until a chunk is filled, or `timeout_ms`. */
void channel_wait(channel_collector *c, int timeout_ms);

/* What channel_drain() hands over: the next `size` bytes of a stream, from
 * `chunk` (maybe none, when `done`); `done`: the chunk is finished, and if
 * chunk->last, so is its stream. */
typedef void channel_sink(void *context, const channel_chunk *chunk, const unsigned char *data,
                          size_t size, bool done);

/* Copies out every committed byte of every stream, each stream's in order,
 * and frees the chunks copied to the end.  Returns the bytes handed over. */
size_t channel_drain(channel_collector *c, channel_sink *sink, void *context);

/* Frees every chunk of `stream`, copied or not: its process is gone, or
 * exec'd another program, and will never finish the chunk it was filling. */
void channel_release_stream(channel_collector *c, uint32_t stream);

/* No more reading: producers stop recording instead of waiting. */
void channel_close(channel_collector *c);

#endif
