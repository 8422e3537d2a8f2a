/* child.c: the test's own process (runner.h: Isolation; isolate.h): it
 * runs the test within its time limits and tells the runner what it saw,
 * through the report channel: its assertions, its measurement, and how it
 * dies if it does (a fatal signal, exit(), a memory error).  It measures
 * what the whole test left allocated (every test's leak, less the blocks
 * it keeps: hb_keep), and resets the kernel's count of its resident memory
 * as a memory test's body starts.
 *
 * The channel and the handlers are the test process's alone.  A process the
 * test makes inherits both, but is not the test: a pthread_atfork handler
 * closes the channel and resets the handlers in every child fork() makes,
 * and every send and every handler first checks that it runs in the
 * process that speaks for the test (by the kernel's pid, not glibc's
 * getpid(), which the code under test could define), so a child made by
 * clone(), vfork() or posix_spawn(), which run no fork handler, is silent
 * too: it lives and dies as its own. */
#include "isolate.h"

#define UNW_LOCAL_ONLY
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <libunwind.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* How close to its limit a stack must be for a fault to be its overflow:
 * more than any one frame probes at a time (-fstack-clash-protection
 * probes a page at a time; a frame that skips further faults further). */
enum { OVERFLOW_ZONE = 256 * 1024 };

/* SIGSYS: an open that could write, trapped by sandbox.c. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS,  SIGFPE,  SIGILL,
                                    SIGABRT, SIGALRM, SIGPROF, SIGSYS};

/* The module's state. */
static struct {
    /* The channel's end, a socket: reports go out, the parent's answers
     * come back; -1: nothing to tell. */
    int report_fd;
    pid_t speaker;     /* the one process that may use it */
    bool body_started; /* the parent answers the measurement too */
    jmp_buf fatal_assertion;
    volatile sig_atomic_t misuse_reported; /* its abort() needs no report */
    hb_time_limit limit;                   /* of the test running, and of its parts */
    timer_t processor_timer;
    bool processor_timer_armed;
    struct timespec processor_at_alarm; /* the process's processor time when alarm() was set */
    unsigned renewals;                  /* of the real-time limit (HB_STARVED_RENEWALS) */
    hb_measurement measurement;
    bool forking_part;                /* the child fork() makes now speaks for a part */
    void (*on_fatal_assertion)(void); /* measure.c's: closes its scope */
    bool (*stack_guard_touched)(uintptr_t address);    /* measure.c's */
    int (*collect_part)(pid_t part, int from_child);   /* parent.c's reader */
    uint8_t buffer[HB_WIRE_MAX_BODY + HB_WIRE_HEADER]; /* a message being sent */
} child = {.report_fd = -1, .limit = {.wall_seconds = HB_DEFAULT_TIMEOUT_SECONDS}};

static pid_t kernel_pid(void) { return (pid_t)syscall(SYS_getpid); }

/* True in the process that speaks for the test, with a channel open. */
static bool speaking(void) { return child.report_fd >= 0 && kernel_pid() == child.speaker; }

bool hb_isolate_channel(int fds[2]) {
    int on = 1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return false;
    /* The kernel then tells the reader the sender of every byte it reads. */
    if (setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0)
        return true;
    close(fds[0]);
    close(fds[1]);
    return false;
}

/* write(2) by its system call: the code under test may define write(). */
static void send_bytes(const void *data, size_t length) {
    const char *p = data;
    while (length > 0) {
        long n = syscall(SYS_write, child.report_fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the parent is gone: nothing to tell */
        p += n;
        length -= (size_t)n;
    }
}

static void send_message(hb_wire_out *out) {
    if (hb_wire_end(out) && speaking())
        send_bytes(out->buffer, out->length);
}

/* A message of a number and a text (NULL: none) into the shared buffer.
 * Signal handlers use buffers of their own. */
static void send_text(enum hb_message_kind kind, const uint32_t *number, const char *text) {
    if (!speaking())
        return;
    hb_wire_out out;
    hb_wire_begin(&out, child.buffer, sizeof child.buffer, kind);
    if (number != NULL)
        hb_wire_u32(&out, *number);
    if (text != NULL)
        hb_wire_text(&out, text);
    send_message(&out);
}

/* Sends the raw return addresses of the current stack, from the faulting
 * instruction `pc` outwards (or all of them if `pc` is 0).  Only
 * unw_backtrace() and write() run here: in a crashed child the heap may be
 * broken, so the parent, which has the same memory map, turns the addresses
 * into names. */
static void send_frames(enum hb_message_kind kind, uintptr_t pc) {
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
    uint8_t buffer[HB_WIRE_HEADER + 4 + 8 * HB_STACK_MAX_FRAMES];
    hb_wire_out out;
    hb_wire_begin(&out, buffer, sizeof buffer, kind);
    hb_wire_frames(&out, frames, kept);
    send_message(&out);
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

/* A process the test made, dying of a signal: as it would without us. */
static void die_as_yourself(int signal) {
    struct sigaction fallback = {.sa_handler = SIG_DFL};
    hb_sigaction(signal, &fallback, NULL);
    raise(signal);
}

/* SIGSYS's si_code when a seccomp filter trapped the call (the kernel's
 * SYS_SECCOMP, which glibc's headers do not define). */
enum { SECCOMP_TRAPPED = 1 };

/* Room for the path a trapped open named, in its report. */
enum { PATH_NOTE = 512 };

/* The path a trapped open named (sandbox.c), or NULL: its argument's
 * register, by the system call's number. */
static const char *trapped_path(const siginfo_t *info, const ucontext_t *uc) {
    if (info->si_code != SECCOMP_TRAPPED)
        return NULL;
#if defined(__x86_64__)
    const greg_t *r = uc->uc_mcontext.gregs;
    return (const char *)(info->si_syscall == SYS_openat ? r[REG_RSI] : r[REG_RDI]);
#elif defined(__aarch64__)
    return (const char *)uc->uc_mcontext.regs[info->si_syscall == SYS_openat ? 1 : 0];
#else
    (void)uc;
    return NULL;
#endif
}

static void install_signal_handlers(void);

/* A period of the real-time limit starts: SIGALRM at its end, and the
 * processor time now, to tell then whether the test was starved or stuck.
 * clock_gettime() and alarm() may be called in a signal handler. */
static void start_real_time_period(void) {
    alarm(child.limit.wall_seconds);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &child.processor_at_alarm);
}

/* SIGALRM: renews the real-time limit if the test is starved rather than
 * stuck (runner.h: HB_STARVED_RENEWALS): it has a processor limit, which
 * will end it, and used at least a hundredth of the period just past. */
static bool starved_not_stuck(void) {
    if (!child.processor_timer_armed || child.renewals >= HB_STARVED_RENEWALS)
        return false;
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    long long used_ms = (now.tv_sec - child.processor_at_alarm.tv_sec) * 1000LL +
                        (now.tv_nsec - child.processor_at_alarm.tv_nsec) / 1000000;
    if (used_ms * 100 < (long long)child.limit.wall_seconds * 1000)
        return false;
    child.renewals++;
    start_real_time_period();
    return true;
}

static void on_fatal_signal(int signal, siginfo_t *info, void *context) {
    if (child.misuse_reported || !speaking())
        die_as_yourself(signal);
    if (signal == SIGALRM && starved_not_stuck()) {
        install_signal_handlers(); /* SA_RESETHAND took this one back */
        return;
    }
    if (signal == SIGSEGV && child.stack_guard_touched != NULL &&
        child.stack_guard_touched((uintptr_t)info->si_addr)) {
        install_signal_handlers(); /* SA_RESETHAND took this one back */
        return;
    }
    hb_guard_enter(); /* the harness's work from here: unwinding maps memory */
    /* SA_RESETHAND: a second fault here kills the child with the same
     * signal, and the parent still reports it, without a stack. */
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#else
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.pc;
#endif
    const char *path = signal == SIGSYS ? trapped_path(info, uc) : NULL;
    if (path != NULL && info->si_syscall != SYS_open_by_handle_at) {
        char note[PATH_NOTE];
        snprintf(note, sizeof note, "the file: %s", path);
        send_text(HB_MSG_NOTE, NULL, note);
    }
    send_frames(is_stack_overflow(signal, uc) ? HB_MSG_OVERFLOW : HB_MSG_SIGNAL, pc);
    raise(signal);
}

/* A note added to the report if the test dies from here on (a sanitizer's
 * summary of the error it stops the test for: hb_memcheck_notes_to); NULL
 * clears it.  Does nothing when tests are not isolated. */
static void note_on_death(const char *note) { send_text(HB_MSG_NOTE, NULL, note ? note : ""); }

/* A message of a line, a file and a text (FAILURE, FAULT_BEGIN). */
static void send_place(enum hb_message_kind kind, unsigned line, const char *file,
                       const char *text) {
    hb_wire_out out;
    hb_wire_begin(&out, child.buffer, sizeof child.buffer, kind);
    hb_wire_u32(&out, line);
    hb_wire_text(&out, file);
    hb_wire_text(&out, text);
    send_message(&out);
}

/* A failed assertion, the test's or a fault injection's part's. */
void hb_isolate_part_failure(unsigned line, const char *file, const char *condition) {
    send_place(HB_MSG_FAILURE, line, file, condition);
}

static void send_misuse(enum hb_memory_error_kind kind, const char *report) {
    if (!speaking())
        return; /* a child of the test: its abort() ends it */
    child.misuse_reported = 1;
    uint32_t number = (uint32_t)kind;
    send_text(HB_MSG_MISUSE, &number, report);
}

static void on_exit_called(void) {
    if (speaking())
        send_frames(HB_MSG_EXIT, 0);
}

/* In a test's process (or a part's): SIGALRM after its real time, SIGPROF
 * after its processor time, on the process's own processor clock (every
 * thread, user and system time; setitimer's ITIMER_PROF samples by ticks
 * and fires a tenth early).  A fork clears both, so a part arms its own. */
static void arm_time_limits(void) {
    start_real_time_period();
    child.renewals = 0;
    unsigned ms = child.limit.processor_ms;
    struct sigevent signal_on_expiry = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGPROF};
    child.processor_timer_armed =
        ms > 0 &&
        timer_create(CLOCK_PROCESS_CPUTIME_ID, &signal_on_expiry, &child.processor_timer) == 0;
    struct itimerspec expiry = {.it_value = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L}};
    if (child.processor_timer_armed)
        timer_settime(child.processor_timer, 0, &expiry, NULL);
}

static void disarm_time_limits(void) {
    alarm(0);
    if (child.processor_timer_armed)
        timer_delete(child.processor_timer);
    child.processor_timer_armed = false;
}

static void install_signal_handlers(void) {
    struct sigaction action = {.sa_sigaction = on_fatal_signal,
                               .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND};
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        hb_sigaction(fatal_signals[i], &action, NULL);
}

/* In every child fork() makes in the test's process: not the test.  A
 * part of a fault injection keeps the channel (hb_isolate_fork_part): it
 * speaks to the judge itself, while the test's process waits for it. */
static void forget_the_test(void) {
    if (child.report_fd >= 0 && !child.forking_part)
        close(child.report_fd);
    if (!child.forking_part)
        child.report_fd = -1;
    struct sigaction fallback = {.sa_handler = SIG_DFL};
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        hb_sigaction(fatal_signals[i], &fallback, NULL);
}

/* What a test's process reports and how: its crash, its call to exit(),
 * a memory error.  The signal handlers again in each part's process. */
static void install_handlers(void) {
    static bool once;
    if (!once) {
        once = true;
        /* Its own stack, so a stack overflow can still be reported. */
        static char alternate_stack[64 * 1024];
        stack_t ss = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack};
        sigaltstack(&ss, NULL);
        atexit(on_exit_called);
        pthread_atfork(NULL, NULL, forget_the_test);
        hb_misuse_start(send_misuse);
    }
    install_signal_handlers();
}

static CU_pFailureRecord last_failure(void) {
    CU_pFailureRecord f = CU_get_failure_list();
    while (f != NULL && f->pNext != NULL)
        f = f->pNext;
    return f;
}

hb_measurement *hb_child_measurement(void) { return &child.measurement; }

/* Until the parent has read what it reads of this process, and answers. */
static void wait_for_the_parent(void) {
    char go;
    while (syscall(SYS_read, child.report_fd, &go, 1) < 0 && errno == EINTR) {
    }
}

/* /proc/self/clear_refs, open to write: the test's process opens it
 * before it may open nothing to write (sandbox.c), and it stays open for
 * the process's life.  -1: not yet. */
static int clear_refs = -1;

static void prepare_resident_reset(void) {
    if (clear_refs < 0)
        clear_refs = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
}

void hb_child_body_starts(void) {
    /* Resets the kernel's high-water mark of this process's resident
     * memory to what it holds now (Linux's clear_refs "5"), and has the
     * parent read that: where the backstop starts (hb_limits_judge). */
    prepare_resident_reset();
    if (clear_refs < 0 || write(clear_refs, "5", 1) != 1)
        return;
    if (!speaking())
        return;
    send_text(HB_MSG_BODY_START, NULL, NULL);
    child.body_started = true;
    wait_for_the_parent();
}

void hb_child_on_fatal_assertion(void (*tear_down)(void)) { child.on_fatal_assertion = tear_down; }

void hb_child_on_stack_fault(bool (*guard_touched)(uintptr_t address)) {
    child.stack_guard_touched = guard_touched;
}

bool hb_child_isolated(void) { return speaking(); }

const hb_time_limit *hb_child_limit(void) { return &child.limit; }

/* ---- leaks: what every test left allocated at its end */

enum { MAX_KEPT = 256 }; /* blocks a test keeps: a few, at most a table's worth */

/* The blocks the running test keeps (its process's: each test has one). */
static struct {
    uintptr_t address[MAX_KEPT];
    size_t count;
} kept;

void hb_keep_at(const void *block, const char *file, unsigned line) {
    if (hb_memcheck_not_counting() != NULL)
        return; /* nothing counted, nothing to keep: LeakSanitizer judges */
    hb_block found;
    const char *wrong = NULL;
    if (!hb_blocks_find((uintptr_t)block, &found))
        wrong = "is not a live block that malloc & co. returned";
    else if (kept.count == MAX_KEPT)
        wrong = "is one block too many to keep (at most 256)";
    if (wrong == NULL) {
        kept.address[kept.count++] = (uintptr_t)block;
        return;
    }
    char message[200];
    snprintf(message, sizeof message, "hb_keep(%p): the pointer %s", block, wrong);
    CU_assertImplementation(CU_FALSE, line, message, file, "", CU_FALSE);
}

/* At the end of every test, in its process, with the figures of the scope
 * that measured all of it (`whole`, the id of its first scope): the bytes
 * and blocks allocated during the test and still live, reachable or not,
 * less those it kept (hb_keep), and where they were allocated, into
 * `measurement` (test_leaked_bytes, test_leaked_blocks, the HB_WIRE_LEAKED
 * sites).  The runner's process judges them (hb_limits_judge): they fail
 * the test, but for a memory test whose .leaks limit judges its leak. */
static void hb_leaks_measure(const hb_usage *whole, uint64_t first_scope_id,
                             hb_measurement *measurement) {
    size_t kept_bytes = 0;
    uint64_t kept_blocks = 0;
    for (size_t i = 0; i < kept.count; i++) {
        hb_block block;
        if (hb_blocks_find(kept.address[i], &block) && block.scope_id >= first_scope_id) {
            kept_bytes += block.size;
            kept_blocks++;
        }
    }
    measurement->test_leaked_bytes = whole->live_bytes - kept_bytes;
    measurement->test_leaked_blocks = whole->live_blocks - kept_blocks;
    hb_raw_sites *raw = &measurement->sites[HB_WIRE_LEAKED];
    *raw = (hb_raw_sites){0};
    if (measurement->test_leaked_blocks != 0) {
        hb_site sites[HB_WIRE_SITES];
        hb_guard_enter();
        raw->total =
            hb_blocks_live_sites(first_scope_id, kept.address, kept.count, sites, HB_WIRE_SITES);
        hb_guard_leave();
        raw->count = raw->total < HB_WIRE_SITES ? (uint32_t)raw->total : HB_WIRE_SITES;
        hb_raw_sites_fill(sites, raw->count, raw);
    }
    kept.count = 0;
}

/* A test runs in a scope of its own, with stacks, so a double free in a
 * correctness test is reported with where the block came from; its figures
 * are the measurement if it is not a memory test (which measures its own
 * body).  No per-site figures: only a memory test's own scope reports
 * them.  A fatal assertion longjmps to the test's jump buffer: pointed to
 * the caller's, so the test's scope is always closed.  The caller's frame
 * runs the test itself (setjmp's frame must stay), so that a report's
 * stack has as few of the harness's frames as it can. */
typedef struct whole_test {
    CU_pTest current;
    jmp_buf *cunit_buffer;
    hb_scope *scope;
    uint64_t first_scope_id;
} whole_test;

static whole_test whole_test_begin(void) {
    child.measurement = (hb_measurement){0};
    whole_test test = {.current = CU_get_current_test()};
    test.cunit_buffer = test.current->pJumpBuf;
    test.current->pJumpBuf = &child.fatal_assertion;
    test.scope = hb_scope_begin(HB_SCOPE_STACKS | HB_SCOPE_NO_SITES);
    test.first_scope_id = hb_scope_id(test.scope);
    return test;
}

static void whole_test_end(whole_test *test) {
    hb_usage usage = hb_scope_finish(test->scope);
    if (!(child.measurement.events & HB_EVENT_MEASURED))
        child.measurement.usage = usage;
    hb_leaks_measure(&usage, test->first_scope_id, &child.measurement);
    child.measurement.draw_count = (uint32_t)hb_context_draws(child.measurement.draws);
    test->current->pJumpBuf = test->cunit_buffer;
}

/* A write past the end of a block still live, or into one freed and held
 * back: reported now, or never.  A memory error found ends the process
 * with its report (send_misuse); run after the test's measurement is
 * sent, so that the runner judges that too. */
static void check_memory_at_the_end(const whole_test *test) {
    hb_blocks_check_live(test->first_scope_id);
    hb_quarantine_flush();
}

/* A fatal assertion jumped out of the test: what the test had allocated
 * and not yet freed is what its stop left, not a leak of the code's. */
static void stopped_at_a_fatal_assertion(void) {
    child.measurement.events |= HB_EVENT_STOPPED;
    if (child.on_fatal_assertion != NULL)
        child.on_fatal_assertion();
}

/* Runs `def` as a whole test.  A macro, so that it runs in its caller's
 * frame: setjmp's frame must outlive the test, and a function of its own
 * would be one more of the harness's frames in every report's stack. */
#define RUN_WHOLE_TEST(def, test)                                                                  \
    do {                                                                                           \
        (test) = whole_test_begin();                                                               \
        if (setjmp(child.fatal_assertion) == 0)                                                    \
            (def)->run();                                                                          \
        else                                                                                       \
            stopped_at_a_fatal_assertion();                                                        \
        whole_test_end(&(test));                                                                   \
    } while (0)

void hb_child_run_here(const hb_test_def *def, const hb_time_limit *limit) {
    child.limit = *limit;
    whole_test test;
    RUN_WHOLE_TEST(def, test);
    check_memory_at_the_end(&test);
}

_Noreturn void hb_child_run(const hb_test_def *def, const hb_time_limit *limit, int channel) {
    child.report_fd = channel;
    child.speaker = kernel_pid();
    child.limit = *limit;
    hb_memcheck_notes_to(note_on_death);
    /* Resident before the measured body (measure.c resets the kernel's
     * high-water mark there): what is sent after it adds nothing. */
    memset(child.buffer, 0, sizeof child.buffer);
    /* No transparent huge pages: the kernel's count of resident memory
     * then grows by a page at a time, whatever the machine's setting. */
    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
    /* A process group of its own: whatever the test starts is killed with
     * it, at its end or at its deadline. */
    setpgid(0, 0);
    hb_guard_enter();        /* before the test: the handler cannot ask */
    hb_stacks_this_thread(); /* known from now on: the fault handler asks */
    hb_guard_leave();
    /* What the harness writes to in this process is open now: from here,
     * nothing opens a file but to read it (sandbox.c). */
    prepare_resident_reset();
    hb_read_only_enter();
    install_handlers();
    arm_time_limits();

    CU_pFailureRecord before = last_failure();
    unsigned asserts_before = CU_get_number_of_asserts();
    unsigned failures_before = CU_get_number_of_failures();
    whole_test test;
    RUN_WHOLE_TEST(def, test);
    disarm_time_limits();

    hb_guard_enter();
    hb_wire_out out;
    unsigned failed = CU_get_number_of_failures() - failures_before;
    hb_wire_begin(&out, child.buffer, sizeof child.buffer, HB_MSG_PASSES);
    hb_wire_u64(&out, CU_get_number_of_asserts() - asserts_before - failed);
    send_message(&out);
    for (CU_pFailureRecord f = before ? before->pNext : CU_get_failure_list(); f != NULL;
         f = f->pNext)
        hb_isolate_part_failure(f->uiLineNumber, f->strFileName, f->strCondition);
    hb_wire_begin(&out, child.buffer, sizeof child.buffer, HB_MSG_MEASURED);
    hb_wire_measurement(&out, &child.measurement);
    send_message(&out);
    if (child.body_started && speaking())
        wait_for_the_parent(); /* it reads the anonymous memory left */
    check_memory_at_the_end(&test);
    send_text(HB_MSG_DONE, NULL, NULL);
    _exit(0);
}

/* ---- fault injection (fault_each.c): its parts, its judge ------------- */

void hb_isolate_fault_begin(const char *name, const char *file, unsigned line) {
    if (!speaking()) {
        hb_guard_enter(); /* the judge's memory is the harness's */
        hb_fault_judge_begin(name, file, line);
        hb_guard_leave();
        return;
    }
    send_place(HB_MSG_FAULT_BEGIN, line, file, name);
}

/* Without a runner to judge (HEAPBOOK_FORK=0), the part speaks through a
 * pipe to this process, which judges; with one, on the test's channel,
 * which the test's process leaves to it until it ends. */
pid_t hb_isolate_fork_part(uint64_t allocation, int *from_child) {
    bool judged_here = !speaking();
    int fds[2] = {-1, -1};
    fflush(stdout); /* or the child would print the parent's buffer again */
    fflush(stderr);
    if (judged_here && !hb_isolate_channel(fds))
        return -1;
    /* fork() itself is refused inside a memory test: its part is not. */
    child.forking_part = true;
    pid_t part = __fork();
    child.forking_part = false;
    if (part == 0) {
        if (judged_here) {
            close(fds[0]);
            child.report_fd = fds[1];
        }
        child.speaker = kernel_pid();
        install_handlers();
        arm_time_limits();
        /* Its first word, so that what follows is its own. */
        hb_wire_out out;
        hb_wire_begin(&out, child.buffer, sizeof child.buffer, HB_MSG_PART_BEGIN);
        hb_wire_u64(&out, allocation);
        send_message(&out);
        return 0;
    }
    if (judged_here)
        close(fds[1]);
    if (part < 0 && judged_here)
        close(fds[0]);
    *from_child = part < 0 ? -1 : fds[0];
    return part;
}

_Noreturn void hb_isolate_part_done(const hb_part_figures *figures) {
    hb_guard_enter();
    hb_wire_out out;
    hb_wire_begin(&out, child.buffer, sizeof child.buffer, HB_MSG_PART);
    hb_wire_part(&out, figures);
    send_message(&out);
    _exit(0);
}

/* The runner's answer to a part's end: go on, or stop. */
static bool judge_says_go_on(void) {
    char answer = 's';
    while (syscall(SYS_read, child.report_fd, &answer, 1) < 0 && errno == EINTR) {
    }
    return answer == 'g';
}

void hb_child_read_parts_with(int (*collect)(pid_t part, int from_child)) {
    child.collect_part = collect;
}

bool hb_isolate_part_end(pid_t part, int from_child, uint64_t allocation) {
    if (from_child >= 0) {
        hb_guard_enter(); /* the judge's memory is the harness's */
        int status = child.collect_part(part, from_child);
        bool go_on = hb_fault_judge_part_end(allocation, status, &child.limit);
        hb_guard_leave();
        return go_on;
    }
    int status = 0;
    while (waitpid(part, &status, 0) < 0 && errno == EINTR) {
    }
    hb_wire_out out;
    hb_wire_begin(&out, child.buffer, sizeof child.buffer, HB_MSG_PART_END);
    hb_wire_u64(&out, allocation);
    hb_wire_u32(&out, (uint32_t)status);
    send_message(&out);
    return judge_says_go_on();
}

void hb_isolate_fault_out_of_time(void) {
    if (speaking())
        start_real_time_period();
}

void hb_isolate_fault_end(const hb_fault_end *end) {
    if (!speaking()) {
        hb_fault_judge_end(end, &child.limit);
        return;
    }
    hb_wire_out out;
    hb_wire_begin(&out, child.buffer, sizeof child.buffer, HB_MSG_FAULT_END);
    hb_wire_fault_end(&out, end);
    send_message(&out);
}
