/* parent.c: the runner's side of a test in a process of its own (runner.h:
 * Isolation; isolate.h).  It forks the test's process, reads what it says
 * (protocol.c), waits for it by its pid, ends every process it started,
 * and judges: the verdict, its messages and the results are made here,
 * where no code under test runs, from messages checked before they are
 * believed. */
#include "isolate.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    /* The parent waits this much longer than the child's own alarm, so the
     * child can report where it was before it is killed. */
    GRACE_SECONDS = 5,
    /* How often the parent looks whether the test's process died while a
     * process it started keeps the channel open (no end of file then). */
    DEATH_CHECK_MS = 20,
    /* Rounds of ending the processes a test left, each a generation: more
     * means a process that keeps forking faster than it is killed. */
    MAX_GENERATIONS = 1000,
};

/* The module's state. */
static struct {
    /* The running test's process group.  It is not the terminal's
     * foreground group, so Ctrl-C reaches only this process: it takes the
     * test's group with it. */
    volatile pid_t running_group;
    bool subreaper; /* orphans of the tests are ours to end */
    hb_measurement measurement;
    uint8_t body[HB_WIRE_MAX_BODY];
} parent;

/* What the parent learnt of one test's (or part's) process. */
typedef struct outcome {
    pid_t pid;
    bool done;      /* it said it finished */
    bool measured;  /* its measurement arrived */
    bool dead;      /* reaped: `status` and `usage` are the kernel's */
    bool part;      /* a fault injection's part, judged in this process */
    pid_t part_pid; /* the part of its fault injection that speaks now */
    bool killed_by_parent;
    bool body_started;            /* a memory test's body */
    int channel;                  /* its reports come in, the answers go out */
    uint64_t resident_before_kib; /* the process's, as its body started */
    uint64_t anonymous_before_kib, anonymous_after_kib; /* exact: anonymous_kib() */
    int status;
    struct rusage usage;
    hb_last_words words;
} outcome;

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void reap(outcome *out, int options) {
    if (out->dead)
        return;
    pid_t got;
    while ((got = wait4(out->pid, &out->status, options, &out->usage)) < 0 && errno == EINTR) {
    }
    out->dead = got == out->pid;
}

/* Reads what is there, up to `length` bytes, from the channel; *sender
 * is the process that sent them, the kernel's word (SCM_CREDENTIALS: a
 * read never spans two senders), 0 if it did not say. */
static ssize_t receive(int fd, void *buffer, size_t length, pid_t *sender) {
    union {
        struct cmsghdr header;
        char room[CMSG_SPACE(sizeof(struct ucred))];
    } control;
    struct iovec io = {.iov_base = buffer, .iov_len = length};
    struct msghdr message = {
        .msg_iov = &io, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control};
    *sender = 0;
    ssize_t n = recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&message) : NULL;
    if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        struct ucred credentials;
        memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
        *sender = credentials.pid;
    }
    return n;
}

/* Whether `sender` may speak on the test's channel: the test's process;
 * during its fault injection, also the part it forked and waits for.  The
 * first process other than the test's to speak between two parts is taken
 * for the part (the kernel names it).  The real part speaks at once, in
 * the harness's code, before any of the code under test runs, so a
 * process that spoke in its place makes the real part's bytes another
 * process's, and the test fails; the test's process ends the part
 * (HB_MSG_PART_END). */
static bool may_speak(outcome *out, pid_t sender) {
    if (sender != 0 && sender == out->pid)
        return true;
    if (sender != 0 && out->part_pid == 0 && hb_fault_judge_awaits_part())
        out->part_pid = sender;
    return sender != 0 && sender == out->part_pid;
}

/* Reads exactly `length` bytes before `deadline_ms`; false on end of file,
 * error, bytes another process sent (then words.malformed says so), the
 * deadline (then killed_by_parent is set), or the process's death once
 * what it wrote before is read: a process it started may hold the channel
 * open long after, and its crash is reported at once. */
static bool read_exact(int fd, void *buffer, size_t length, long long deadline_ms, outcome *out) {
    char *p = buffer;
    while (length > 0) {
        long long left = deadline_ms - now_ms();
        if (left <= 0 && !out->dead) {
            out->killed_by_parent = true;
            return false;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready =
            poll(&pfd, 1, out->dead ? 0 : (int)(left < DEATH_CHECK_MS ? left : DEATH_CHECK_MS));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0 && out->dead)
            return false;
        if (ready <= 0) {
            reap(out, WNOHANG);
            continue;
        }
        pid_t sender;
        ssize_t n = receive(fd, p, length, &sender);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        if (!may_speak(out, sender)) {
            out->words.malformed = "bytes another process than the test's sent";
            return false;
        }
        p += n;
        length -= (size_t)n;
    }
    return true;
}

static void keep_text(char **kept, const char *text) {
    free(*kept);
    *kept = strdup(text);
}

/* The kernel's count of the process's resident memory, in KiB; 0 if
 * /proc cannot say. */
static uint64_t resident_kib(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    FILE *statm = fopen(path, "r");
    unsigned long long size, resident;
    bool read = statm != NULL && fscanf(statm, "%llu %llu", &size, &resident) == 2;
    if (statm != NULL)
        fclose(statm);
    return read ? resident * (unsigned long long)sysconf(_SC_PAGESIZE) / 1024 : 0;
}

/* The process's anonymous memory, in KiB, counted page by page
 * (smaps_rollup walks its page tables: exact, where statm's counts are
 * batched per processor); 0 if /proc cannot say. */
static uint64_t anonymous_kib(pid_t pid) {
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    FILE *rollup = fopen(path, "r");
    unsigned long long kib = 0;
    while (rollup != NULL && fgets(line, sizeof line, rollup) != NULL)
        if (sscanf(line, "Anonymous: %llu kB", &kib) == 1)
            break;
    if (rollup != NULL)
        fclose(rollup);
    return kib;
}

/* Writes the byte the child waits for: no SIGPIPE, which would end the
 * runner, if the child died meanwhile. */
static bool answer(int channel, char word) { return send(channel, &word, 1, MSG_NOSIGNAL) == 1; }

static void replay(const hb_message *m, const hb_time_limit *limit, outcome *out) {
    /* A fault injection's part speaks for itself, not for the test. */
    hb_last_words *words = hb_fault_judge_in_part() ? hb_fault_judge_words() : &out->words;
    switch (m->kind) {
    case HB_MSG_BODY_START:
        out->body_started = true;
        out->resident_before_kib = resident_kib(out->pid);
        out->anonymous_before_kib = anonymous_kib(out->pid);
        if (!answer(out->channel, 'g'))
            out->resident_before_kib = out->anonymous_before_kib = 0;
        break;
    case HB_MSG_PASSES:
        for (uint64_t i = 0; i < m->number; i++)
            CU_assertImplementation(CU_TRUE, 0, "", "", "", CU_FALSE);
        break;
    case HB_MSG_FAILURE:
        if (hb_fault_judge_in_part())
            hb_fault_judge_part_failure(m->file, (unsigned)m->number, m->text);
        else
            CU_assertImplementation(CU_FALSE, (unsigned)m->number, m->text, m->file, "", CU_FALSE);
        break;
    case HB_MSG_MEASURED:
        out->measured = true;
        if (out->body_started) {
            out->anonymous_after_kib = anonymous_kib(out->pid);
            if (!answer(out->channel, 'g'))
                out->anonymous_after_kib = 0;
        }
        break;
    case HB_MSG_SIGNAL:
    case HB_MSG_OVERFLOW:
    case HB_MSG_EXIT:
        words->stack_overflow = m->kind == HB_MSG_OVERFLOW;
        words->depth = m->depth;
        memcpy(words->frames, m->frames, m->depth * sizeof *m->frames);
        break;
    case HB_MSG_MISUSE:
        words->misuse_kind = (enum hb_memory_error_kind)m->number;
        keep_text(&words->misuse, m->text);
        break;
    case HB_MSG_NOTE: /* kept: reported if the child dies */
        keep_text(&words->note, m->text);
        break;
    case HB_MSG_FAULT_BEGIN:
        hb_fault_judge_begin(m->text, m->file, (unsigned)m->number);
        break;
    case HB_MSG_PART_BEGIN:
        hb_fault_judge_part_begin(m->number);
        break;
    case HB_MSG_PART:
        hb_fault_judge_part_figures();
        out->done = out->part; /* a part judged here ends with its figures */
        break;
    case HB_MSG_PART_END:
        out->part_pid = 0;
        answer(out->channel, hb_fault_judge_part_end(m->number, (int)m->status, limit) ? 'g' : 's');
        break;
    case HB_MSG_FAULT_END:
        hb_fault_judge_end(&m->fault_end, limit);
        break;
    case HB_MSG_DONE:
        out->done = true;
        break;
    }
}

/* Which messages each side may send: a part judged here (tests not
 * isolated) only its own; the test's process, fault injection's in their
 * order (judge.c).  An assertion or a measurement after the end, or
 * a second measurement, is not the harness's either. */
static const char *out_of_place(const hb_message *m, const outcome *out) {
    bool parts_own = m->kind == HB_MSG_PART_BEGIN || m->kind == HB_MSG_PART ||
                     m->kind == HB_MSG_FAILURE || m->kind == HB_MSG_SIGNAL ||
                     m->kind == HB_MSG_OVERFLOW || m->kind == HB_MSG_EXIT ||
                     m->kind == HB_MSG_MISUSE || m->kind == HB_MSG_NOTE;
    if (out->part && !parts_own)
        return "a message the harness does not send from there";
    const char *wrong = hb_fault_judge_out_of_place(m);
    if (wrong != NULL)
        return wrong;
    if (m->kind == HB_MSG_MEASURED && out->measured)
        return "a second measurement";
    if (m->kind == HB_MSG_BODY_START && (out->body_started || out->measured))
        return "a second start of the measured body";
    if (m->kind == HB_MSG_DONE && !out->measured)
        return "the end of a test that sent no measurement";
    return NULL;
}

/* After the end the process said it reached, it ends (_exit): nothing of
 * the harness's follows, so the channel must close with no byte more (a
 * forged end, and the real messages after it, would not), before the
 * deadline. */
static void expect_the_end(int fd, long long deadline, outcome *out) {
    char extra;
    if (!read_exact(fd, &extra, 1, deadline, out) && out->words.malformed == NULL &&
        !out->killed_by_parent)
        return;
    out->done = false;
    if (out->words.malformed == NULL && !out->killed_by_parent)
        out->words.malformed = "a message after the test's end";
}

/* Reads messages until the process says it is done or dies (a part of a
 * fault injection judged here: until it sends its figures). */
static void collect(int fd, const hb_time_limit *limit, outcome *out) {
    /* The test's own alarm ends it; this is for one that cannot (a crash in
     * its handler).  Every renewal of its limit comes first: fault injection
     * out of time renews it once (hb_isolate_fault_out_of_time), and a test
     * with a processor limit when starved (runner.h: HB_STARVED_RENEWALS). */
    unsigned periods = 2 + (limit->processor_ms > 0 ? HB_STARVED_RENEWALS : 0);
    long long deadline =
        now_ms() + ((long long)limit->wall_seconds * periods + GRACE_SECONDS) * 1000;
    uint8_t header[HB_WIRE_HEADER];
    while (!out->done && read_exact(fd, header, sizeof header, deadline, out)) {
        enum hb_message_kind kind;
        uint32_t length;
        hb_message m = {.measurement = out->part ? NULL : &parent.measurement,
                        .part = hb_fault_judge_figures()};
        const char *error = hb_wire_read_header(header, &kind, &length);
        if (error == NULL && !read_exact(fd, parent.body, length, deadline, out))
            error = out->words.malformed ? out->words.malformed : "a message cut short";
        if (error == NULL)
            error = hb_wire_decode(kind, parent.body, length, &m);
        if (error == NULL)
            error = out_of_place(&m, out);
        if (error != NULL) {
            (out->part ? hb_fault_judge_words() : &out->words)->malformed = error;
            out->done = false;
            return;
        }
        replay(&m, limit, out);
    }
    if (out->done)
        expect_the_end(fd, deadline, out);
}

/* ---- every process a test started, ended */

/* The processes whose parent is this one, found in /proc: the children
 * file of the thread that forked them, else every process's stat.
 * Returns how many were found (up to `max`). */
static size_t children_of_this_process(pid_t *children, size_t max) {
    size_t found = 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    FILE *file = fopen(path, "r");
    if (file != NULL) {
        int pid;
        while (found < max && fscanf(file, "%d", &pid) == 1)
            children[found++] = pid;
        fclose(file);
        return found;
    }
    DIR *proc = opendir("/proc");
    for (struct dirent *entry; proc != NULL && found < max && (entry = readdir(proc)) != NULL;) {
        snprintf(path, sizeof path, "/proc/%.16s/stat", entry->d_name);
        FILE *stat = entry->d_name[0] >= '1' && entry->d_name[0] <= '9' ? fopen(path, "r") : NULL;
        int pid, ppid;
        /* "pid (name) state ppid": the name may hold spaces and parentheses */
        char line[512];
        if (stat != NULL && fgets(line, sizeof line, stat) != NULL) {
            const char *after_name = strrchr(line, ')');
            if (after_name != NULL && sscanf(line, "%d", &pid) == 1 &&
                sscanf(after_name + 1, " %*c %d", &ppid) == 1 && ppid == getpid())
                children[found++] = pid;
        }
        if (stat != NULL)
            fclose(stat);
    }
    if (proc != NULL)
        closedir(proc);
    return found;
}

/* After the test's process has been reaped: whatever it started, in any
 * process group or session, is an orphan that the kernel gave to this
 * process (a child subreaper): killed and reaped, generation after
 * generation, so nothing the test started outlives it, nor keeps the
 * runner's output open (`tests | cat` would wait for it). */
static void end_descendants(void) {
    if (!parent.subreaper)
        return;
    for (int generation = 0; generation < MAX_GENERATIONS; generation++) {
        enum { BATCH = 256 };
        pid_t children[BATCH];
        size_t count = children_of_this_process(children, BATCH);
        if (count == 0)
            break;
        for (size_t i = 0; i < count; i++)
            kill(children[i], SIGKILL);
        for (size_t i = 0; i < count; i++)
            while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR) {
            }
    }
}

static void on_interrupt(int signal) {
    if (parent.running_group > 0)
        kill(-parent.running_group, SIGKILL);
    struct sigaction fallback = {.sa_handler = SIG_DFL};
    hb_sigaction(signal, &fallback, NULL);
    raise(signal);
}

static int collect_part(pid_t part, int from_child);

static void set_up_once(void) {
    static bool done;
    if (done)
        return;
    done = true;
    struct sigaction action = {.sa_handler = on_interrupt};
    sigemptyset(&action.sa_mask);
    int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        hb_sigaction(signals[i], &action, NULL);
    parent.subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
    /* A process the test makes judges its own fault injection's parts. */
    hb_child_read_parts_with(collect_part);
}

/* ---- running a test */

/* Processor time, in microseconds, of `usage`. */
static unsigned long long processor_us(const struct rusage *usage) {
    return (unsigned long long)(usage->ru_utime.tv_sec + usage->ru_stime.tv_sec) * 1000000 +
           (unsigned long long)(usage->ru_utime.tv_usec + usage->ru_stime.tv_usec);
}

/* This process's, and that of the processes it waited for. */
static unsigned long long processor_us_so_far(void) {
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    return processor_us(&self) + processor_us(&children);
}

void hb_isolate_run_here(const hb_test_def *def, const hb_time_limit *limit) {
    unsigned long long before = processor_us_so_far();
    hb_fault_judge_reset();
    hb_child_read_parts_with(collect_part);
    hb_child_run_here(def, limit);
    hb_fault_judge_take(hb_child_measurement());
    hb_limits_judge(def, hb_child_measurement(), 0, NULL);
    hb_time_record(def->name, processor_us_so_far() - before);
}

static void forget(outcome *out) {
    free(out->words.misuse);
    free(out->words.note);
}

void hb_isolate_run(const hb_test_def *def, const hb_time_limit *limit) {
    set_up_once();
    int fds[2];
    fflush(stdout); /* or the child would print the parent's buffer again */
    fflush(stderr);
    if (!hb_isolate_channel(fds)) {
        CU_assertImplementation(CU_FALSE, def->line, "cannot create a socket pair for the test",
                                def->file, "", CU_FALSE);
        return;
    }
    pid_t child = __fork();
    if (child == 0) {
        close(fds[0]);
        hb_child_run(def, limit, fds[1]);
    }
    close(fds[1]);
    if (child < 0) {
        close(fds[0]);
        CU_assertImplementation(CU_FALSE, def->line, "cannot fork a process for the test",
                                def->file, "", CU_FALSE);
        return;
    }
    setpgid(child, child); /* as the child does: whoever runs first */
    parent.running_group = child;
    outcome out = {.pid = child, .channel = fds[0]};
    hb_fault_judge_reset();
    collect(fds[0], limit, &out);
    hb_fault_judge_take(&parent.measurement);
    /* The test's process group: the test itself if it still runs, and
     * what it started there; then what left the group. */
    kill(-child, SIGKILL);
    if (!out.dead)
        kill(child, SIGKILL);
    reap(&out, 0);
    end_descendants();
    close(fds[0]);
    parent.running_group = 0;
    hb_time_record(def->name, processor_us(&out.usage));
    parent.measurement.resident_before_kib = out.resident_before_kib;
    parent.measurement.anonymous_before_kib = out.anonymous_before_kib;
    parent.measurement.anonymous_after_kib = out.anonymous_after_kib;
    /* A memory error found when the test ended, after the process sent
     * its measurement (child.c: check_memory_at_the_end): reported first,
     * then the limits judged as well, so that neither hides the other. */
    bool judged = out.done || (out.measured && out.words.misuse != NULL);
    if (!out.done)
        hb_death_report(def, out.status, out.killed_by_parent, &out.words, limit);
    /* The kernel's count then includes the report's own work (unwinding,
     * symbols), which no allocation of the test's explains: not checked. */
    if (judged)
        hb_limits_judge(def, &parent.measurement, out.done ? (uint64_t)out.usage.ru_maxrss : 0,
                        out.done ? NULL : hb_results_find(def->name));
    forget(&out);
}

/* ---- a part of a fault injection, when tests are not isolated */

/* Reads the part's messages into the judge from `from_child` until it is
 * done or dies; returns its wait status. */
static int collect_part(pid_t part, int from_child) {
    outcome out = {.pid = part, .part = true, .channel = from_child};
    collect(from_child, hb_child_limit(), &out);
    close(from_child);
    if (!out.dead && !out.done)
        kill(part, SIGKILL);
    reap(&out, 0);
    forget(&out);
    return out.status;
}
