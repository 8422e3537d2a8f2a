/* collector: heapbook run's side of the channel (channel.h).  It copies
 * each recorded process's stream into its capture file, compressed with
 * zstd, adds the process's resident set size every 10 ms from /proc, and
 * at the end says how each process ended.
 *
 * Files: the process heapbook run started records into `capture`; with
 * --follow-fork each other process into "capture.PID".  A process that
 * execs another program starts a new stream; its file then holds the new
 * program (exec released the old one's memory, all of it). */
#ifndef HEAPBOOK_COLLECTOR_H
#define HEAPBOOK_COLLECTOR_H

#include "channel.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct collector collector;

/* A collector for the channel `channel`, writing the root process's
 * capture into `root_fd` (opened, empty) named `capture`.  NULL if memory
 * runs out. */
collector *collector_new(channel_collector *channel, const char *capture, int root_fd);

/* Collects until the process `root` (heapbook run's child) has ended and
 * every recorded process has finished; sets *root_status (waitpid's).
 * `stop` is polled: a signal heapbook run received, to forward to root. */
void collector_run(collector *c, pid_t root, int *root_status, volatile int *stop);

/* A recorded process that exec'd a program the preload never reached. */
typedef struct collector_unrecorded {
    pid_t pid;
    const char *program; /* as the process named it to exec */
    const char *capture; /* which holds the process until then (or its parent, vfork()ed) */
} collector_unrecorded;

/* What was written, for heapbook run's messages. */
typedef struct collector_result {
    bool root_recorded;    /* the root process's capture holds a stream */
    bool root_ended;       /* ... that ended through exit() */
    const char *error;     /* a file that could not be written, or NULL */
    char error_text[512];  /* ... and why */
    size_t other_captures; /* captures of other processes */
    const char **other_paths;
    size_t unrecorded_count;
    collector_unrecorded *unrecorded;
    bool root_unrecorded; /* ... the root process among them */
} collector_result;

/* Finishes every capture; *result lives as long as `c` (free its arrays
 * with collector_result_free). */
void collector_finish(collector *c, collector_result *result);
void collector_result_free(collector_result *result);
void collector_free(collector *c);

#endif
