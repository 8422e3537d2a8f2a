/* isolate.h: the modules behind runner.h's Isolation, and what they share.
 *
 *   protocol.c  the messages, encoded by the child, checked by the parent
 *   child.c     the test's process: its handlers, timers and report channel
 *   read_only.c what the test's process may open: files to read, no more
 *   parent.c    the runner: it forks the test, reads its messages, waits for
 *               it and for everything it started, and judges
 *   death.c     how a test's process that did not finish died, in words
 *
 * Calls go one way: parent.c -> child.c (after the fork), parent.c ->
 * death.c, measure.c (the judge of a memory test's limits); child.c and
 * measure.c's measuring side -> protocol.c. */
#ifndef HB_ISOLATE_H
#define HB_ISOLATE_H

#include "protocol.h"

#include <sys/types.h>

/* ---- child.c */

/* In the forked child: runs `def` within `limit`, tells the parent through
 * `channel` (hb_isolate_channel's second end), reads its answers from it,
 * and ends the process. */
_Noreturn void hb_child_run(const hb_test_def *def, const hb_time_limit *limit, int channel);

/* The same in this process (HEAPBOOK_FORK=0); hb_child_measurement() then
 * holds what it measured. */
void hb_child_run_here(const hb_test_def *def, const hb_time_limit *limit);

/* The running test's measurement, for measure.c to fill in. */
hb_measurement *hb_child_measurement(void);

/* Just before a memory test's body, its resident high-water mark reset:
 * tells the parent, which reads the process's resident memory, and waits
 * until it has. */
void hb_child_body_starts(void);

/* What to run when a fatal assertion ends the test's body early (the
 * measured scope's tear-down, measure.c). */
void hb_child_on_fatal_assertion(void (*tear_down)(void));

/* True in a test's process that reports to a parent (false when tests run
 * in the runner's process, HEAPBOOK_FORK=0, and in any process the test
 * made). */
bool hb_child_isolated(void);

/* The running test's time limits, which its parts share. */
const hb_time_limit *hb_child_limit(void);

/* ---- read_only.c */

/* From now on, this process and every process it makes may open files only
 * to read them: an open that could write raises SIGSYS.  False if the
 * kernel would not have it, or the binary's tests write files (then
 * nothing changed). */
bool hb_read_only_enter(void);

/* False, unless a test binary defines it true: the harness's own tests and
 * fixtures, which make files to test the harness with (a helper's pid, a
 * file to map, a times file).  Exercise code cannot: in an exercise's test
 * binary this definition is local to the sealed harness (docs/harness.md,
 * Sealed), and a name the harness defines is refused there anyway. */
extern const bool hb_test_process_writes_files;

/* ---- parent.c */

/* A report channel: a pair of connected Unix stream sockets, not inherited
 * by a program the test runs.  The reader's end, fds[0], learns from the
 * kernel which process sent each byte; a socket, unlike a pipe, cannot be
 * opened again by a path (/proc/self/fd/N: ENXIO).  False if none could be
 * made. */
bool hb_isolate_channel(int fds[2]);

/* ---- death.c */

/* What a test's process (or a part's) told before it ended without
 * finishing: what the parent needs to say how it died. */
typedef struct hb_last_words {
    bool stack_overflow; /* the signal struck at the stack's end */
    char *misuse;        /* a report from support/misuse.c */
    enum hb_memory_error_kind misuse_kind;
    char *note;                            /* the last hb_isolate_note() */
    uintptr_t frames[HB_STACK_MAX_FRAMES]; /* of a signal or of exit() */
    size_t depth;
    const char *malformed; /* why its report could not be read, if so */
} hb_last_words;

/* How the process died (its wait status; `killed_by_parent` at its
 * deadline), where, and why that is a failure: appends the text and
 * returns the hb_failure bits. */
unsigned hb_death_describe(int status, bool killed_by_parent, const hb_last_words *words,
                           const hb_time_limit *limit, hb_text *report);

/* Reports the death of `def`'s process as a failure of the current CUnit
 * test, and records it in its result. */
void hb_death_report(const hb_test_def *def, int status, bool killed_by_parent,
                     const hb_last_words *words, const hb_time_limit *limit);

/* ---- measure.c */

/* In the test's process, before it is made read-only: opens what the
 * measured body's start writes to (the kernel's resident high-water mark). */
void hb_limits_prepare(void);

/* ---- measure.c, the judge's side */

/* The verdict on a test that finished, from its measurement: a memory
 * test's limits (parsed from the parent's own copy of `def`), checked
 * against its figures, each failure a CUnit failure with its report; the
 * result recorded (runner.h: Results).  `resident_peak_kib`: the kernel's
 * high-water mark of the test's resident memory (wait4's ru_maxrss), which
 * must not grow past the counted figures (0: unknown, not checked).
 * `reported`: the test's result as already reported (a memory error found
 * after its measurement, hb_death_report), kept in its result; or NULL. */
void hb_limits_judge(const hb_test_def *def, const hb_measurement *measurement,
                     uint64_t resident_peak_kib, const hb_result *reported);

#endif
