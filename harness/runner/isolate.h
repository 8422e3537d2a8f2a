/* isolate.h: the modules behind runner.h's Isolation, and what they share.
 *
 *   protocol.c  the messages, encoded by the child, checked by the parent
 *   child.c     the test's process: its handlers, timers and report channel
 *   sandbox.c   what the test's process may open: files to read, no more
 *   parent.c    the runner: it forks the test, reads its messages, waits for
 *               it and for everything it started, and judges
 *   judge.c     how a test's process that did not finish died, in words;
 *               the verdict on each failure point of a fault injection
 *               (fault_each.c's parts), made in the parent
 *   limits.c    the verdict on a memory test, made in the parent
 *
 * Calls: parent.c -> child.c (after the fork), judge.c, limits.c; child.c
 * -> protocol.c, judge.c, sandbox.c (measure.c fills in the measurement
 * child.c sends); judge.c and limits.c call none of them.  When tests are
 * not isolated there is no other process to judge: child.c calls judge.c
 * itself, and parent.c's reader, which parent.c gives it. */
#ifndef HB_ISOLATE_H
#define HB_ISOLATE_H

#include "protocol.h"

#include <sys/types.h>

/* glibc's fork(), which measure.c's fork() calls when it does not refuse:
 * the harness makes its own processes (a test's, a part's) with it, so
 * that none of them depends on what a memory test may do. */
extern pid_t __fork(void);

/* ---- child.c */

/* A report channel: a pair of connected Unix stream sockets, not inherited
 * by a program the test runs.  The reader's end, fds[0], learns from the
 * kernel which process sent each byte; a socket, unlike a pipe, cannot be
 * opened again by a path (/proc/self/fd/N: ENXIO).  False if none could be
 * made. */
bool hb_isolate_channel(int fds[2]);

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

/* What the fault handler asks first (measure.c's): whether the faulting
 * `address` is in the stack a memory test's body may not reach, which is
 * then lifted, the body going on as if nothing had happened; false if
 * not.  Until it is given, no address is. */
void hb_child_on_stack_fault(bool (*guard_touched)(uintptr_t address));

/* True in a test's process that reports to a parent (false when tests run
 * in the runner's process, HEAPBOOK_FORK=0, and in any process the test
 * made). */
bool hb_child_isolated(void);

/* The running test's time limits, which its parts share. */
const hb_time_limit *hb_child_limit(void);

/* ---- child.c, for fault_each.c */

/* A fault injection (fault_each.c) told to its judge (judge.c): in the
 * runner's process when the test has one, else in this one.  Its parts
 * are children of the test's process, each within the test's time limit,
 * that speak to the judge themselves. */

/* It starts: the code's name, and where hb_fail_each_allocation was
 * called. */
void hb_isolate_fault_begin(const char *name, const char *file, unsigned line);

/* A part in which `allocation` fails (0: the normal run): said, then
 * forked.  Returns 0 in the child, which ends with hb_isolate_part_done();
 * in the parent, the child's pid (or -1), and in *from_child what to give
 * hb_isolate_part_end(). */
pid_t hb_isolate_fork_part(uint64_t allocation, int *from_child);

/* In the part: an assertion it failed; then its figures, which end it. */
void hb_isolate_part_failure(unsigned line, const char *file, const char *condition);
_Noreturn void hb_isolate_part_done(const hb_part_figures *figures);

/* In the parent: waits for the part and tells the judge how it ended.
 * False when the judge needs no more failure points. */
bool hb_isolate_part_end(pid_t part, int from_child, uint64_t allocation);

/* Its failure points stopped for want of time: the test's real-time limit
 * starts again, so that the code's normal run to its end, and the report
 * of the points left untried, are not cut short by the alarm on a busy
 * machine (the report says the test ran out of time either way). */
void hb_isolate_fault_out_of_time(void);

/* It ended, as counted here. */
void hb_isolate_fault_end(const hb_fault_end *end);

/* Where a part judged in this process (tests not isolated) is read:
 * `collect` reads its messages into the judge from `from_child` until it
 * is done or dies, and returns its wait status.  parent.c's reader, given
 * before a test runs: child.c, which parent.c calls, does not call it. */
void hb_child_read_parts_with(int (*collect)(pid_t part, int from_child));

/* ---- sandbox.c */

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

/* ---- judge.c: deaths */

/* What a test's process (or a part's) told before it ended without
 * finishing: what the parent needs to say how it died. */
typedef struct hb_last_words {
    bool stack_overflow; /* the signal struck at the stack's end */
    char *misuse;        /* a report from support/report.c  */
    enum hb_memory_error_kind misuse_kind;
    char *note;                            /* the last note (child.c: note_on_death) */
    uintptr_t frames[HB_STACK_MAX_FRAMES]; /* of a signal or of exit() */
    size_t depth;
    const char *malformed; /* why its report could not be read, if so */
} hb_last_words;

/* Reports the death of `def`'s process as a failure of the current CUnit
 * test, and records it in its result. */
void hb_death_report(const hb_test_def *def, int status, bool killed_by_parent,
                     const hb_last_words *words, const hb_time_limit *limit);

/* ---- judge.c: the fault injection's judge (fault_each.c makes the
 * failure points; the messages: protocol.h).  In the runner's process, fed
 * by parent.c; in the test's own only when tests are not isolated. */

/* Forgets every fault injection and what the test's came to. */
void hb_fault_judge_reset(void);

/* A fault injection of `name` (the code's), called at `file`:`line`. */
void hb_fault_judge_begin(const char *name, const char *file, unsigned line);

/* Why `m` cannot come now (NULL: it can): fault injection's messages keep
 * their order, and the test's own never come inside one. */
const char *hb_fault_judge_out_of_place(const hb_message *m);

/* A part starts, in which `allocation` fails (0: the normal run). */
void hb_fault_judge_part_begin(uint64_t allocation);

/* True between a part's start and its end: its messages are the part's. */
bool hb_fault_judge_in_part(void);

/* True inside a fault injection, between its parts: the next part may
 * speak. */
bool hb_fault_judge_awaits_part(void);

/* The running part's last words (how it dies), and the storage its
 * figures are decoded into; hb_fault_judge_part_figures() when they are. */
hb_last_words *hb_fault_judge_words(void);
hb_part_figures *hb_fault_judge_figures(void);
void hb_fault_judge_part_figures(void);

/* An assertion the running part failed. */
void hb_fault_judge_part_failure(const char *file, unsigned line, const char *condition);

/* The running part ended with wait status `status`: judged.  False when
 * enough failure points were found: the rest need not be tried. */
bool hb_fault_judge_part_end(uint64_t allocation, int status, const hb_time_limit *limit);

/* The fault injection ended: each failure point found, and one that was
 * slow, is a failure of the current CUnit test, with its message. */
void hb_fault_judge_end(const hb_fault_end *end, const hb_time_limit *limit);

/* The hb_failure bits and failures of the test's fault injections, into
 * its measurement for hb_limits_judge(); then hb_fault_judge_reset(). */
void hb_fault_judge_take(hb_measurement *measurement);

/* ---- limits.c */

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
