/* isolate.c: each test in a process of its own (runner.h: Isolation). */
#include "runner.h"

#define UNW_LOCAL_ONLY
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <errno.h>
#include <libunwind.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* What the child tells the parent, each a header then `text_length` bytes. */
enum message_kind {
    MSG_PASSES = 'P',   /* count[0]: assertions that passed */
    MSG_FAILURE = 'F',  /* a failed assertion: line, file, then the condition */
    MSG_RESULT = 'R',   /* the test's hb_result */
    MSG_SIGNAL = 'S',   /* count frames (raw addresses) where the signal struck */
    MSG_OVERFLOW = 'O', /* the same, for a fault at the end of the stack */
    MSG_EXIT = 'X',     /* count frames (raw addresses) of the call to exit() */
    MSG_MISUSE = 'M',   /* text: a memory error found (support/misuse.c); count: its kind */
    MSG_NOTE = 'N',     /* text: what the test is doing, in case it dies */
    MSG_DONE = 'D',     /* the test returned */
    MSG_PART = 'T',     /* a test's part (fault_each.c) ended: text; count: hb_failure bits */
};

typedef struct message {
    uint8_t kind;
    uint32_t line;
    uint32_t file_length;
    uint32_t text_length;
    uint64_t count;
    hb_result result; /* MSG_RESULT; its `test` pointer is the child's */
} message;

/* ---- child side ---------------------------------------------------- */

static int report_fd = -1;
static jmp_buf fatal_assertion;
static volatile sig_atomic_t misuse_reported; /* its abort() needs no report */

/* How close to its limit a stack must be for a fault to be its overflow:
 * more than any one frame probes at a time (-fstack-clash-protection
 * probes a page at a time; a frame that skips further faults further). */
enum { OVERFLOW_ZONE = 256 * 1024 };

static void send_bytes(const void *data, size_t length) {
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(report_fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the parent is gone: nothing to tell */
        p += n;
        length -= (size_t)n;
    }
}

static void send_message(message m, const char *file, const char *text) {
    m.file_length = file ? (uint32_t)strlen(file) : 0;
    m.text_length = text ? (uint32_t)strlen(text) : 0;
    send_bytes(&m, sizeof m);
    send_bytes(file, m.file_length);
    send_bytes(text, m.text_length);
}

/* Sends the raw return addresses of the current stack, from the faulting
 * instruction `pc` outwards (or all of them if `pc` is 0).  Only
 * unw_backtrace() and write() run here: in a crashed child the heap may be
 * broken, so the parent, which has the same memory map, turns the addresses
 * into names. */
static void send_frames(enum message_kind kind, uintptr_t pc) {
    void *raw[HB_STACK_MAX_FRAMES];
    int depth = unw_backtrace(raw, HB_STACK_MAX_FRAMES);
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    int first = 0;
    for (int i = 0; i < depth && pc != 0; i++)
        if ((uintptr_t)raw[i] == pc)
            first = i;
    size_t kept = 0;
    if (pc != 0 && (first == 0 || (uintptr_t)raw[first] != pc))
        frames[kept++] = pc; /* the signal frame was not unwound: the address at least */
    for (int i = first; i < depth && kept < HB_STACK_MAX_FRAMES; i++)
        frames[kept++] = (uintptr_t)raw[i];
    message m = {.kind = kind, .count = kept, .text_length = (uint32_t)(kept * sizeof *frames)};
    send_bytes(&m, sizeof m);
    send_bytes(frames, m.text_length);
}

static bool is_stack_overflow(int signal, const ucontext_t *uc) {
#if defined(__x86_64__)
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#else
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.sp;
#endif
    /* The faulting thread's stack: a fault near its lowest address is its
     * overflow; near means within a quarter of a thread's small stack,
     * where a fault elsewhere is something else. */
    hb_stack_bounds stack = hb_stacks_known();
    uintptr_t zone = (stack.high - stack.low) / 4;
    if (zone > OVERFLOW_ZONE)
        zone = OVERFLOW_ZONE;
    return (signal == SIGSEGV || signal == SIGBUS) && stack.low != 0 && sp < stack.low + zone;
}

static void on_fatal_signal(int signal, siginfo_t *info, void *context) {
    (void)info;
    if (misuse_reported)
        raise(signal);
    hb_guard_enter(); /* the harness's work from here: unwinding maps memory */
    /* SA_RESETHAND: a second fault here kills the child with the same
     * signal, and the parent still reports it, without a stack. */
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#else
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.pc;
#endif
    send_frames(is_stack_overflow(signal, uc) ? MSG_OVERFLOW : MSG_SIGNAL, pc);
    raise(signal);
}

void hb_isolate_note(const char *note) {
    if (report_fd >= 0)
        send_message((message){.kind = MSG_NOTE}, NULL, note ? note : "");
}

static void send_misuse(enum hb_memory_error_kind kind, const char *report) {
    misuse_reported = 1;
    send_message((message){.kind = MSG_MISUSE, .count = kind}, NULL, report);
}

static void on_exit_called(void) { send_frames(MSG_EXIT, 0); }

/* The time limits of the test running now, and of its parts. */
static hb_time_limit running_limit = {.wall_seconds = HB_DEFAULT_TIMEOUT_SECONDS};

/* In a test's process (or a part's): SIGALRM after its real time, SIGPROF
 * after its processor time, on the process's own processor clock (every
 * thread, user and system time; setitimer's ITIMER_PROF samples by ticks
 * and fires a tenth early).  A fork clears both, so a part arms its own. */
static timer_t processor_timer;
static bool processor_timer_armed;

static void arm_time_limits(void) {
    alarm(running_limit.wall_seconds);
    unsigned ms = running_limit.processor_ms;
    struct sigevent signal_on_expiry = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGPROF};
    processor_timer_armed =
        ms > 0 && timer_create(CLOCK_PROCESS_CPUTIME_ID, &signal_on_expiry, &processor_timer) == 0;
    struct itimerspec expiry = {.it_value = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L}};
    if (processor_timer_armed)
        timer_settime(processor_timer, 0, &expiry, NULL);
}

static void disarm_time_limits(void) {
    alarm(0);
    if (processor_timer_armed)
        timer_delete(processor_timer);
    processor_timer_armed = false;
}

/* What a child reports and how: its crash, its call to exit(), a memory
 * error.  Once per process (a part's child inherits its test's). */
static void install_handlers(void) {
    static bool installed;
    if (installed)
        return;
    installed = true;
    /* Its own stack, so a stack overflow can still be reported. */
    static char alternate_stack[64 * 1024];
    stack_t ss = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack};
    sigaltstack(&ss, NULL);
    struct sigaction action = {.sa_sigaction = on_fatal_signal,
                               .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND};
    sigemptyset(&action.sa_mask);
    int signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM, SIGPROF};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        hb_sigaction(signals[i], &action, NULL);
    atexit(on_exit_called);
    hb_misuse_start(send_misuse);
}

static void install_child_handlers(void) {
    /* A process group of its own: whatever the test starts is killed with
     * it, at its end or at its deadline. */
    setpgid(0, 0);
    hb_guard_enter();        /* before the test: the handler cannot ask */
    hb_stacks_this_thread(); /* known from now on: the fault handler asks */
    hb_guard_leave();
    install_handlers();
    arm_time_limits();
}

static CU_pFailureRecord last_failure(void) {
    CU_pFailureRecord f = CU_get_failure_list();
    while (f != NULL && f->pNext != NULL)
        f = f->pNext;
    return f;
}

/* Runs the test in a scope of its own, with stacks, so a double free in a
 * correctness test is reported with where the block came from; records
 * its figures if it is not a memory test (which records its own).  No
 * per-site figures: only a memory test's own scope reports them. */
static void run_whole_test(const hb_test_def *def) {
    /* A fatal assertion longjmps to the test's jump buffer: point it here,
     * so the test's scope is always closed. */
    CU_pTest current = CU_get_current_test();
    jmp_buf *cunit_buffer = current->pJumpBuf;
    current->pJumpBuf = &fatal_assertion;
    hb_scope *whole_test = hb_scope_begin(HB_SCOPE_STACKS | HB_SCOPE_NO_SITES);
    uint64_t first_scope_id = hb_scope_id(whole_test);
    if (setjmp(fatal_assertion) == 0)
        def->run();
    else
        hb_test_tear_down();
    hb_usage usage = hb_scope_finish(whole_test);
    if (hb_results_find(def->name) == NULL)
        hb_results_record(&(hb_result){.test = def->name, .measured = true, .usage = usage});
    hb_leaks_check(def->name, def->file, def->line, &usage, first_scope_id);
    current->pJumpBuf = cunit_buffer;
    /* A write past the end of a block still live, or into one freed and
     * held back: reported now, or never. */
    hb_blocks_check_live(first_scope_id);
    hb_quarantine_flush();
}

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
    running_limit = *limit;
    unsigned long long before = processor_us_so_far();
    run_whole_test(def);
    hb_time_record(def->name, processor_us_so_far() - before);
}

_Noreturn static void hb_run_isolated_child(const hb_test_def *def) {
    install_child_handlers();
    CU_pFailureRecord before = last_failure();
    unsigned asserts_before = CU_get_number_of_asserts();
    unsigned failures_before = CU_get_number_of_failures();
    run_whole_test(def);
    disarm_time_limits();

    hb_guard_enter();
    unsigned failed = CU_get_number_of_failures() - failures_before;
    send_message((message){.kind = MSG_PASSES,
                           .count = CU_get_number_of_asserts() - asserts_before - failed},
                 NULL, NULL);
    CU_pFailureRecord f = before ? before->pNext : CU_get_failure_list();
    for (; f != NULL; f = f->pNext)
        send_message((message){.kind = MSG_FAILURE, .line = f->uiLineNumber}, f->strFileName,
                     f->strCondition);
    const hb_result *result = hb_results_find(def->name);
    if (result != NULL)
        send_message((message){.kind = MSG_RESULT, .result = *result}, NULL, NULL);
    send_message((message){.kind = MSG_DONE}, NULL, NULL);
    _exit(0);
}

/* ---- parent side --------------------------------------------------- */

/* The parent waits this much longer than the child's own alarm, so the child
 * can report where it was before it is killed. */
enum { GRACE_SECONDS = 5 };

typedef struct outcome {
    bool done;
    unsigned part_failures; /* MSG_PART's */
    bool killed_by_parent;
    bool stack_overflow; /* the signal struck at the stack's end */
    char *misuse;        /* a report from support/misuse.c */
    enum hb_memory_error_kind misuse_kind;
    char *note;                            /* the last hb_isolate_note() */
    uintptr_t frames[HB_STACK_MAX_FRAMES]; /* of a signal or of exit() */
    size_t depth;
} outcome;

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads exactly `length` bytes before `deadline_ms`; false on EOF, error or
 * timeout (then *timed_out is set). */
static bool read_exact(int fd, void *buffer, size_t length, long long deadline_ms,
                       bool *timed_out) {
    char *p = buffer;
    while (length > 0) {
        long long left = deadline_ms - now_ms();
        if (left <= 0) {
            *timed_out = true;
            return false;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue; /* the deadline check above ends the wait */
        ssize_t n = read(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        length -= (size_t)n;
    }
    return true;
}

static char *read_text(int fd, uint32_t length, long long deadline_ms, bool *timed_out) {
    char *text = malloc((size_t)length + 1);
    if (text == NULL || !read_exact(fd, text, length, deadline_ms, timed_out)) {
        free(text);
        return NULL;
    }
    text[length] = '\0';
    return text;
}

static void replay(const hb_test_def *def, const message *m, const char *file, char *text,
                   outcome *out) {
    switch ((enum message_kind)m->kind) {
    case MSG_PASSES:
        for (uint64_t i = 0; i < m->count; i++)
            CU_assertImplementation(CU_TRUE, 0, "", "", "", CU_FALSE);
        break;
    case MSG_FAILURE:
        CU_assertImplementation(CU_FALSE, m->line, text ? text : "", file ? file : "", "",
                                CU_FALSE);
        break;
    case MSG_RESULT: {
        if (def == NULL)
            break;
        hb_result result = m->result;
        result.test = def->name; /* the child's pointer, to the same name */
        hb_results_record(&result);
        break;
    }
    case MSG_SIGNAL:
    case MSG_OVERFLOW:
    case MSG_EXIT:
        out->stack_overflow = m->kind == MSG_OVERFLOW;
        out->depth = m->count <= HB_STACK_MAX_FRAMES && text ? (size_t)m->count : 0;
        if (out->depth > 0)
            memcpy(out->frames, text, out->depth * sizeof *out->frames);
        break;
    case MSG_MISUSE:
        out->misuse_kind = (enum hb_memory_error_kind)m->count;
        /* fall through */
    case MSG_NOTE: { /* kept: reported if the child dies */
        char **kept = m->kind == MSG_MISUSE ? &out->misuse : &out->note;
        free(*kept);
        *kept = text;
        text = NULL;
        break;
    }
    case MSG_PART:
        out->part_failures = (unsigned)m->count;
        free(out->note); /* its text is the part's report */
        out->note = text;
        text = NULL;
        out->done = true;
        break;
    case MSG_DONE:
        out->done = true;
        break;
    }
    free(text);
}

/* `def` is NULL for a part of a test: it only reports how it ended. */
static void collect(int fd, pid_t child, const hb_test_def *def, outcome *out) {
    long long deadline = now_ms() + (long long)(running_limit.wall_seconds + GRACE_SECONDS) * 1000;
    bool timed_out = false;
    message m;
    /* Until the test says it is done: a process it started may hold the
     * pipe open long after. */
    while (!out->done && read_exact(fd, &m, sizeof m, deadline, &timed_out)) {
        char *file = m.file_length ? read_text(fd, m.file_length, deadline, &timed_out) : NULL;
        char *text = m.text_length ? read_text(fd, m.text_length, deadline, &timed_out) : NULL;
        replay(def, &m, file, text, out);
        free(file);
    }
    out->killed_by_parent = timed_out;
    /* The test's process group: the test itself if it still runs, and
     * everything it started.  A part is of its test's group. */
    if (def != NULL)
        kill(-child, SIGKILL);
    else if (timed_out)
        kill(child, SIGKILL);
}

static unsigned failure_of(enum hb_memory_error_kind kind) {
    switch (kind) {
    case HB_OVERFLOW:
        return HB_FAILED_OVERFLOW;
    case HB_WRITE_AFTER_FREE:
        return HB_FAILED_USE_AFTER_FREE;
    case HB_HIDDEN_MEMORY:
        return HB_FAILED_HIDDEN_MEMORY;
    case HB_BAD_FREE:
        break;
    }
    return HB_FAILED_CRASH;
}

/* The frames after the call to exit() itself, or all of them. */
static size_t frames_after_exit(const outcome *out) {
    for (size_t i = 0; i < out->depth; i++) {
        hb_location location;
        hb_symbolize(out->frames[i], true, &location);
        if (strcmp(location.function, "exit") == 0)
            return i + 1;
    }
    return 0;
}

/* The harness finds a write past the end or after a free later, when it
 * checks; AddressSanitizer stops at the write itself.  An exercise's suite
 * is named after its folder ("01-fibonacci"): the command names it. */
static void suggest_memcheck(hb_text *report, const hb_test_def *def) {
    const char *suite = def->suite ? def->suite : "";
    bool exercise = strlen(suite) > 3 && isdigit((unsigned char)suite[0]) &&
                    isdigit((unsigned char)suite[1]) && suite[2] == '-';
    hb_text_printf(report, "\n      next: make memcheck%s%.2s shows the line that wrote them",
                   exercise ? " EX=" : "", exercise ? suite : "");
}

/* What became of a child that did not finish: how it died, where, and why
 * it is a failure (its hb_failure bits). */
static unsigned describe_death(int status, const outcome *out, hb_text *report) {
    hb_text stack = {0};
    unsigned failure;
    bool exited = !WIFSIGNALED(status) && !out->killed_by_parent;
    size_t first =
        exited ? frames_after_exit(out) : hb_memcheck_runtime_frames(out->frames, out->depth);
    if (out->depth > first)
        hb_report_frames(&stack, out->frames + first, out->depth - first, !exited && first == 0,
                         HB_REPORT_INDENT);
    else
        hb_text_printf(&stack, " (no stack: the process died before it could tell)");
    const char *where = hb_text_get(&stack);
    if (out->misuse) {
        failure = failure_of(out->misuse_kind);
        hb_text_printf(report, "%s", out->misuse);
    } else if (out->stack_overflow) {
        failure = HB_FAILED_CRASH;
        hb_location innermost;
        hb_symbolize(out->frames[0], false, &innermost);
        char line[HB_FUNCTION_NAME + HB_FILE_NAME + 16];
        hb_location_format(&innermost, line, sizeof line);
        hb_text_printf(report, "stack overflow in %s: a local array too big, or endless recursion?",
                       line);
        if (out->depth > 1) {
            hb_text_printf(report, "\n      called from:");
            hb_report_frames(report, out->frames + 1, out->depth - 1, false, HB_REPORT_INDENT);
        }
    } else if (out->killed_by_parent || (WIFSIGNALED(status) && (WTERMSIG(status) == SIGALRM ||
                                                                 WTERMSIG(status) == SIGPROF))) {
        failure = HB_FAILED_TIMEOUT;
        bool processor = !out->killed_by_parent && WTERMSIG(status) == SIGPROF;
        hb_time_limit_report(&running_limit, processor, where, report);
    } else if (WIFSIGNALED(status)) {
        int signal = WTERMSIG(status);
        failure = HB_FAILED_CRASH;
        if (first > 0) /* the sanitizer's abort(), its report above: where it was called */
            hb_text_printf(report, "stopped by the sanitizer (SIG%s) at:%s", sigabbrev_np(signal),
                           where);
        else
            hb_text_printf(report, "crashed: SIG%s (%s) at:%s", sigabbrev_np(signal),
                           strsignal(signal), where);
    } else {
        failure = HB_FAILED_EXIT;
        hb_text_printf(report,
                       "the code under test ended the test process: exit(%d) called from:%s",
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1, where);
    }
    if (out->note != NULL && out->note[0] != '\0')
        hb_text_printf(report, "\n      (%s)", out->note);
    hb_text_free(&stack);
    return failure;
}

static void report_death(const hb_test_def *def, int status, const outcome *out) {
    hb_text report = {0};
    hb_text_printf(&report, "%s: ", def->name);
    unsigned failure = describe_death(status, out, &report);
    if (failure & (HB_FAILED_OVERFLOW | HB_FAILED_USE_AFTER_FREE))
        suggest_memcheck(&report, def);
    /* What the test measured before it died stays. */
    const hb_result *before = hb_results_find(def->name);
    hb_result result = before ? *before : (hb_result){.test = def->name};
    result.failures |= failure;
    result.reports++;
    hb_results_record(&result);
    CU_assertImplementation(CU_FALSE, def->line, hb_text_get(&report), def->file, "", CU_FALSE);
    hb_text_free(&report);
}

/* The running test's process group.  It is not the terminal's foreground
 * group, so Ctrl-C reaches only this process: it takes the test's group
 * with it. */
static volatile pid_t running_group;

static void on_interrupt(int signal) {
    if (running_group > 0)
        kill(-running_group, SIGKILL);
    struct sigaction fallback = {.sa_handler = SIG_DFL};
    hb_sigaction(signal, &fallback, NULL);
    raise(signal);
}

static void stop_tests_when_interrupted(void) {
    static bool installed;
    if (installed)
        return;
    installed = true;
    struct sigaction action = {.sa_handler = on_interrupt};
    sigemptyset(&action.sa_mask);
    int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        hb_sigaction(signals[i], &action, NULL);
}

void hb_isolate_run(const hb_test_def *def, const hb_time_limit *limit) {
    stop_tests_when_interrupted();
    running_limit = *limit;
    int fds[2];
    fflush(stdout); /* or the child would print the parent's buffer again */
    fflush(stderr);
    if (pipe(fds) != 0) {
        CU_assertImplementation(CU_FALSE, def->line, "cannot create a pipe for the test", def->file,
                                "", CU_FALSE);
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        report_fd = fds[1];
        hb_run_isolated_child(def);
    }
    close(fds[1]);
    if (child < 0) {
        close(fds[0]);
        CU_assertImplementation(CU_FALSE, def->line, "cannot fork a process for the test",
                                def->file, "", CU_FALSE);
        return;
    }
    setpgid(child, child); /* as the child does: whoever runs first */
    running_group = child;
    outcome out = {0};
    collect(fds[0], child, def, &out);
    close(fds[0]);
    int status = 0;
    struct rusage usage = {0};
    while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    running_group = 0;
    hb_time_record(def->name, processor_us(&usage));
    if (!out.done)
        report_death(def, status, &out);
    free(out.misuse);
    free(out.note);
}

/* ---- a part of a test in a child of its own (fault_each.c) ------------ */

pid_t hb_isolate_fork_part(int *from_child) {
    int fds[2];
    fflush(stdout); /* or the child would print the parent's buffer again */
    fflush(stderr);
    if (pipe(fds) != 0)
        return -1;
    /* fork() itself is refused inside a memory test: its part is not. */
    extern pid_t __fork(void);
    pid_t child = __fork();
    if (child == 0) {
        close(fds[0]);
        report_fd = fds[1];
        install_handlers();
        arm_time_limits();
        return 0;
    }
    close(fds[1]);
    if (child < 0) {
        close(fds[0]);
        return -1;
    }
    *from_child = fds[0];
    return child;
}

_Noreturn void hb_isolate_part_done(unsigned failures, const char *report) {
    hb_guard_enter();
    send_message((message){.kind = MSG_PART, .count = failures}, NULL, report ? report : "");
    _exit(0);
}

unsigned hb_isolate_wait_part(pid_t child, int from_child, hb_text *report) {
    outcome out = {0};
    collect(from_child, child, NULL, &out);
    close(from_child);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    unsigned failures;
    if (out.done) {
        failures = out.part_failures;
        hb_text_printf(report, "%s", out.note ? out.note : "");
    } else {
        failures = describe_death(status, &out, report);
    }
    free(out.misuse);
    free(out.note);
    return failures;
}
