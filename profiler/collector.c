/* collector.c: the streams of the recorded processes into capture files
 * (collector.h). */
#include "collector.h"

#include "array.h"
#include "capture.h"
#include "capture_file.h"
#include "frame_names.h"
#include "transcoder.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

enum {
    SAMPLE_INTERVAL_MS = 10, /* memray's default, too */
    /* zstd's default, as heaptrack's: level 1 leaves a capture of blocks
     * freed as soon as allocated a third larger, and level 3 still keeps
     * up with the busiest program on one core (docs/performance.md). */
    COMPRESSION_LEVEL = 3,
    COMPRESSED_BUFFER = 128 * 1024,
    /* A capture whose records all fit in this many bytes is compressed at
     * its end, in one go, at SMALL_CAPTURE_LEVEL: a tenth smaller for a
     * small program (sqlite3's 79 KB of records: 11.3 KB at level 3, 9.8
     * at 19), at most a tenth of a second more on this many bytes. */
    SMALL_CAPTURE = 256 * 1024,
    SMALL_CAPTURE_LEVEL = 19,
};

typedef struct output {
    collector *owner;
    transcoder *transcoder;
    pid_t pid;
    int fd;
    char *path;
    ZSTD_CCtx *zstd;
    unsigned char *held; /* the records so far, while they fit in SMALL_CAPTURE bytes */
    size_t held_size;
    bool streaming;   /* past SMALL_CAPTURE: compressed as they come */
    uint32_t stream;  /* the stream being written into it */
    bool root;        /* the file named `capture` */
    bool has_records; /* a stream has begun in it */
    bool ended;       /* its stream ended with 'E' */
    bool finished;    /* closed */
    char *unrecorded; /* the program it exec'd, which began no stream */
    uint64_t touched; /* the producer's bytes of the channel, resident in it */
    int error;        /* errno of a failed write, or 0 */
} output;

struct collector {
    channel_collector *channel;
    const char *capture;
    int root_fd;
    pid_t root;
    bool root_reaped;
    int root_status;
    output **by_stream; /* CHANNEL_MAX_STREAMS entries; `dropped` for a replaced stream */
    output **outputs;   /* in the order they appeared; outputs[0] is the root's if any */
    size_t count, capacity;
    /* Children recorded processes vfork()ed and that exec'd a program: a
     * stream of each is due (capture.h's 'x'). */
    collector_unrecorded *execs;
    size_t exec_count, exec_capacity;
    unsigned char compressed[COMPRESSED_BUFFER];
};

/* The stream of a process that then exec'd: what is left of it is dropped. */
static output dropped;

static uint64_t monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

collector *collector_new(channel_collector *channel, const char *capture_path, int root_fd) {
    collector *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    // NOLINTNEXTLINE(bugprone-sizeof-expression): the elements are pointers
    c->by_stream = calloc(CHANNEL_MAX_STREAMS, sizeof *c->by_stream);
    if (c->by_stream == NULL) {
        free(c);
        return NULL;
    }
    c->channel = channel;
    c->capture = capture_path;
    c->root_fd = root_fd;
    return c;
}

/* ---- writing an output */

static void write_all(output *o, const void *data, size_t size) {
    const unsigned char *p = data;
    while (o->error == 0 && size > 0) {
        ssize_t n = write(o->fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            o->error = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        size -= (size_t)n;
    }
}

static void compress_stream(collector *c, output *o, const void *data, size_t size, bool end);

/* Compresses `size` bytes into the file; `end` closes the zstd frame.  The
 * first SMALL_CAPTURE bytes are held: if the capture ends within them it
 * is compressed harder, knowing its size. */
static void compress_into(collector *c, output *o, const void *data, size_t size, bool end) {
    if (!o->streaming) {
        bool fits = o->held_size + size <= SMALL_CAPTURE;
        if (fits && o->held == NULL && (o->held = malloc(SMALL_CAPTURE)) == NULL)
            fits = false; /* compressed as it comes, then */
        if (fits) {
            if (size > 0)
                memcpy(o->held + o->held_size, data, size);
            o->held_size += size;
            if (!end)
                return;
            ZSTD_CCtx_setParameter(o->zstd, ZSTD_c_compressionLevel, SMALL_CAPTURE_LEVEL);
            ZSTD_CCtx_setPledgedSrcSize(o->zstd, o->held_size);
            data = o->held;
            size = o->held_size;
        } else if (o->held_size > 0) {
            compress_stream(c, o, o->held, o->held_size, false);
        }
        o->streaming = true;
    }
    compress_stream(c, o, data, size, end);
    if (o->held != NULL) { /* compressed now */
        free(o->held);
        o->held = NULL;
        o->held_size = 0;
    }
}

static void compress_stream(collector *c, output *o, const void *data, size_t size, bool end) {
    ZSTD_inBuffer in = {data, size, 0};
    for (;;) {
        ZSTD_outBuffer out = {c->compressed, sizeof c->compressed, 0};
        size_t left = ZSTD_compressStream2(o->zstd, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left)) {
            o->error = ENOMEM;
            return;
        }
        write_all(o, c->compressed, out.pos);
        if (end ? left == 0 : in.pos == in.size)
            return;
    }
}

static void take_transcoded(void *context, const unsigned char *data, size_t size) {
    output *o = context;
    compress_into(o->owner, o, data, size, false);
}

/* A record of the collector's own ('X'), between whole records. */
static void write_record(collector *c, output *o, const unsigned char *start,
                         const unsigned char *end) {
    if (!o->finished && o->has_records)
        compress_into(c, o, start, (size_t)(end - start), false);
}

/* Takes the execs of the children output `o`'s process vfork()ed. */
static void take_child_execs(output *o) {
    collector *c = o->owner;
    size_t count;
    const transcoder_exec *children = transcoder_children(o->transcoder, &count);
    for (size_t i = 0; i < count; i++) {
        char *program = strdup(children[i].path);
        if (program == NULL || !array_grow((void **)&c->execs, &c->exec_capacity, c->exec_count + 1,
                                           sizeof *c->execs)) {
            free(program);
            break;
        }
        c->execs[c->exec_count++] = (collector_unrecorded){children[i].pid, program, o->path};
    }
    transcoder_forget_children(o->transcoder);
}

/* Starts the file afresh: its header, and a new zstd frame. */
static void restart(output *o) {
    take_child_execs(o);
    if (lseek(o->fd, 0, SEEK_SET) != 0 || ftruncate(o->fd, 0) != 0)
        o->error = errno;
    unsigned char header[CAPTURE_FILE_HEADER];
    capture_file_header(header);
    write_all(o, header, sizeof header);
    ZSTD_CCtx_reset(o->zstd, ZSTD_reset_session_only);
    ZSTD_CCtx_setParameter(o->zstd, ZSTD_c_compressionLevel, COMPRESSION_LEVEL);
    free(o->held);
    o->held = NULL;
    o->held_size = 0;
    o->streaming = false;
    transcoder_reset(o->transcoder);
    o->has_records = o->ended = false;
}

static output *add_output(collector *c, pid_t pid, int fd, char *path) {
    output *o = calloc(1, sizeof *o);
    if (o != NULL &&
        // NOLINTNEXTLINE(bugprone-sizeof-expression): the elements are pointers
        !array_grow((void **)&c->outputs, &c->capacity, c->count + 1, sizeof *c->outputs)) {
        free(o);
        return NULL;
    }
    if (o == NULL || (o->zstd = ZSTD_createCCtx()) == NULL ||
        (o->transcoder = transcoder_new()) == NULL) {
        if (o != NULL)
            ZSTD_freeCCtx(o->zstd);
        free(o);
        return NULL;
    }
    o->owner = c;
    /* A checksum of the records at the end of the frame: a damaged byte
     * the records' own checks let through is still an error, never other
     * figures (the reader's zstd checks it). */
    ZSTD_CCtx_setParameter(o->zstd, ZSTD_c_checksumFlag, 1);
    size_t dictionary_size;
    const void *dictionary = capture_file_dictionary(&dictionary_size);
    ZSTD_CCtx_loadDictionary(o->zstd, dictionary, dictionary_size); /* raw: not zstd's magic */
    o->pid = pid;
    o->fd = fd;
    o->path = path;
    c->outputs[c->count++] = o;
    restart(o);
    return o;
}

/* The capture file of another process than the root: CAPTURE.PID, or
 * CAPTURE.PID.N if an earlier process had that pid. */
static output *open_child_output(collector *c, pid_t pid) {
    char path[4200];
    for (int n = 1; n < 100; n++) {
        if (n == 1)
            snprintf(path, sizeof path, "%s.%d", c->capture, (int)pid);
        else
            snprintf(path, sizeof path, "%s.%d.%d", c->capture, (int)pid, n);
        bool taken = false;
        for (size_t i = 0; i < c->count; i++)
            taken |= strcmp(c->outputs[i]->path, path) == 0;
        if (taken)
            continue;
        char error[512];
        int fd = capture_file_create(path, error, sizeof error);
        if (fd < 0) {
            fprintf(stderr, "heapbook: process %d is not recorded: %s\n", (int)pid, error);
            return NULL;
        }
        char *kept = strdup(path);
        output *o = kept ? add_output(c, pid, fd, kept) : NULL;
        if (o == NULL) {
            free(kept);
            close(fd);
        }
        return o;
    }
    return NULL;
}

static output *live_output_of(collector *c, pid_t pid) {
    for (size_t i = 0; i < c->count; i++)
        if (c->outputs[i]->pid == pid && !c->outputs[i]->finished)
            return c->outputs[i];
    return NULL;
}

/* The output a new stream of process `pid` goes to. */
static output *output_for_new_stream(collector *c, uint32_t stream, pid_t pid) {
    output *o = live_output_of(c, pid);
    if (o != NULL) { /* the process exec'd: its new program replaces the old */
        c->by_stream[o->stream] = &dropped;
        channel_release_stream(c->channel, o->stream);
        restart(o);
    } else if (pid == c->root && c->count == 0) {
        char *path = strdup(c->capture);
        o = path ? add_output(c, pid, c->root_fd, path) : NULL;
        if (o == NULL) {
            free(path);
        } else {
            o->root = true;
            c->root_fd = -1;
        }
    } else {
        o = open_child_output(c, pid);
    }
    if (o != NULL)
        o->stream = stream;
    return o;
}

static void sample_one(output *o, uint64_t now);

/* channel_drain()'s sink.  A process is sampled as soon as heapbook run
 * sees it (it samples itself at its start and its end, too). */
static void take(void *context, const channel_chunk *chunk, const unsigned char *data, size_t size,
                 bool done) {
    collector *c = context;
    output *o = c->by_stream[chunk->stream];
    if (o == NULL) {
        if (chunk->sequence != 0)
            return;
        o = output_for_new_stream(c, chunk->stream, (pid_t)chunk->pid);
        c->by_stream[chunk->stream] = o ? o : &dropped;
        if (o == NULL)
            return;
    }
    if (o == &dropped || o->finished)
        return;
    o->touched = chunk->producer_touched;
    if (size > 0) {
        bool first = !o->has_records;
        o->has_records = true;
        if (!transcoder_feed(o->transcoder, data, size, take_transcoded, o)) {
            fprintf(stderr, "heapbook: process %d sent %s: its capture %s stops there\n",
                    (int)o->pid, transcoder_error(o->transcoder), o->path);
            c->by_stream[chunk->stream] = &dropped;
        }
        if (first)
            sample_one(o, monotonic_ns());
    }
    if (done && chunk->last)
        o->ended = true;
}

/* ---- watching the processes */

static uint64_t resident_bytes(pid_t pid, bool *gone) {
    char path[64], text[128];
    snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
    if (fd >= 0)
        close(fd);
    unsigned long long size = 0, resident = 0;
    *gone = n <= 0;
    if (n <= 0)
        return 0;
    text[n] = '\0';
    if (sscanf(text, "%llu %llu", &size, &resident) != 2)
        return 0;
    return resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Gone, or a zombie: it will write nothing more. */
static bool process_gone(pid_t pid) {
    if (kill(pid, 0) != 0 && errno == ESRCH)
        return true;
    char path[64], text[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return true;
    text[n] = '\0';
    const char *state = strrchr(text, ')'); /* after the command's name, which may hold anything */
    return state == NULL || state[1] == '\0' || state[2] == 'Z' || state[2] == 'X';
}

/* The resident set size of a recorded process, without the channel's
 * pages it has touched (those are heapbook's, not the program's). */
static void sample_one(output *o, uint64_t now) {
    if (o->finished || !o->has_records || o->ended)
        return;
    bool gone;
    uint64_t rss = resident_bytes(o->pid, &gone);
    if (gone || rss == 0) /* a zombie's is 0 */
        return;
    rss = rss > o->touched ? rss - o->touched : 0;
    unsigned char record[1 + 8 + CAPTURE_MAX_VARINT], *p = record;
    *p++ = TAG_SAMPLE;
    p = capture_put_u64(p, now);
    p = capture_put_varint(p, rss);
    /* Through the transcoder: after the events it has counted, which
     * happened before it (the tick so far). */
    transcoder_feed(o->transcoder, record, (size_t)(p - record), take_transcoded, o);
}

static void sample(collector *c) {
    uint64_t now = monotonic_ns();
    for (size_t i = 0; i < c->count; i++)
        sample_one(c->outputs[i], now);
}

/* The modules its frames are in, and the names of every frame of its
 * stacks, read now, while the program's files are the ones that ran
 * (frame_names.h).  Without the names (memory ran out) the reports name
 * the frames from the files on disk. */
static void name_frames(output *o) {
    size_t count, module_count;
    uint64_t *addresses = transcoder_addresses(o->transcoder, &count);
    const capture_module *modules = transcoder_modules(o->transcoder, &module_count);
    if (!frame_names_write(o->path, modules, module_count, addresses, count, take_transcoded, o))
        fprintf(stderr,
                "heapbook: out of memory naming the frames of %s: its reports will read them "
                "from the program's files\n",
                o->path);
    free(addresses);
}

/* Closes an output; a stream cut short gets an 'X' saying how it ended. */
static void finish(collector *c, output *o) {
    if (o->finished)
        return;
    if (o->has_records)
        transcoder_finish(o->transcoder, take_transcoded, o);
    if (o->has_records && !o->ended) {
        unsigned char record[2 + CAPTURE_MAX_VARINT], *p = record;
        *p++ = TAG_ENDED;
        if (o->pid == c->root && c->root_reaped && WIFSIGNALED(c->root_status)) {
            *p++ = CAPTURE_ENDED_SIGNAL;
            p = capture_put_varint(p, (uint64_t)WTERMSIG(c->root_status));
        } else if (o->pid == c->root && c->root_reaped) {
            *p++ = CAPTURE_ENDED_EXIT;
            p = capture_put_varint(p, (uint64_t)WEXITSTATUS(c->root_status));
        } else {
            *p++ = CAPTURE_ENDED_LOST;
            p = capture_put_varint(p, 0);
        }
        write_record(c, o, record, p);
    }
    take_child_execs(o);
    const char *exec_pending = transcoder_exec_pending(o->transcoder);
    if (exec_pending != NULL)
        o->unrecorded = strdup(exec_pending);
    if (o->has_records) {
        name_frames(o);
        compress_into(c, o, NULL, 0, true);
    }
    if (close(o->fd) != 0 && o->error == 0)
        o->error = errno;
    if (o->stream != 0) /* the chunk its process may have left half full */
        channel_release_stream(c->channel, o->stream);
    o->finished = true;
}

/* After the root process has ended: finishes the outputs whose process
 * has ended too; true when none is left open. */
static bool finish_ended(collector *c) {
    bool all = true;
    for (size_t i = 0; i < c->count; i++) {
        output *o = c->outputs[i];
        if (o->finished)
            continue;
        if (o->ended || process_gone(o->pid)) {
            channel_drain(c->channel, take, c); /* what it wrote last */
            finish(c, o);
        } else {
            all = false;
        }
    }
    return all;
}

void collector_run(collector *c, pid_t root, int *root_status, volatile int *stop) {
    c->root = root;
    uint64_t next_sample = monotonic_ns();
    int forwarded = 0;
    for (;;) {
        if (*stop != 0 && *stop != forwarded && !c->root_reaped) {
            forwarded = *stop;
            kill(root, forwarded);
        }
        channel_wait(c->channel, SAMPLE_INTERVAL_MS);
        channel_drain(c->channel, take, c);
        if (monotonic_ns() >= next_sample) {
            sample(c);
            next_sample = monotonic_ns() + SAMPLE_INTERVAL_MS * 1000000ull;
        }
        if (!c->root_reaped && waitpid(root, &c->root_status, WNOHANG) == root)
            c->root_reaped = true;
        if (c->root_reaped) {
            channel_drain(c->channel, take, c);
            if (finish_ended(c))
                break;
        }
    }
    *root_status = c->root_status;
}

void collector_finish(collector *c, collector_result *result) {
    channel_drain(c->channel, take, c);
    for (size_t i = 0; i < c->count; i++)
        finish(c, c->outputs[i]);
    *result = (collector_result){0};
    result->other_paths = calloc(c->count + 1, sizeof *result->other_paths);
    result->unrecorded = calloc(c->count + c->exec_count + 1, sizeof *result->unrecorded);
    for (size_t i = 0; i < c->exec_count && result->unrecorded != NULL; i++) {
        bool recorded = false;
        for (size_t k = 0; k < c->count; k++)
            recorded |= c->outputs[k]->pid == c->execs[i].pid && c->outputs[k]->has_records;
        if (!recorded)
            result->unrecorded[result->unrecorded_count++] = c->execs[i];
    }
    for (size_t i = 0; i < c->count; i++) {
        output *o = c->outputs[i];
        if (o->error != 0 && result->error == NULL) {
            result->error = o->path;
            snprintf(result->error_text, sizeof result->error_text, "%s", strerror(o->error));
        }
        if (o->unrecorded != NULL && result->unrecorded != NULL) {
            result->unrecorded[result->unrecorded_count++] =
                (collector_unrecorded){o->pid, o->unrecorded, o->path};
            result->root_unrecorded |= o->root;
        }
        if (o->root) {
            result->root_recorded = o->has_records;
            result->root_ended = o->ended;
        } else if (o->has_records && result->other_paths != NULL) {
            result->other_paths[result->other_captures++] = o->path;
        }
    }
}

void collector_result_free(collector_result *result) {
    free(result->other_paths);
    free(result->unrecorded);
}

void collector_free(collector *c) {
    if (c == NULL)
        return;
    if (c->root_fd >= 0)
        close(c->root_fd);
    for (size_t i = 0; i < c->count; i++) {
        ZSTD_freeCCtx(c->outputs[i]->zstd);
        free(c->outputs[i]->held);
        transcoder_free(c->outputs[i]->transcoder);
        free(c->outputs[i]->path);
        free(c->outputs[i]->unrecorded);
        free(c->outputs[i]);
    }
    for (size_t i = 0; i < c->exec_count; i++)
        free((char *)c->execs[i].program);
    free(c->execs);
    free(c->outputs);
    free(c->by_stream);
    free(c);
}
