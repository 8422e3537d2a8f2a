/* measure.c: memory tests, in the test's process (runner.h: Limits;
 * heapbook.h): the measured scope, the stack the body uses, and every way
 * of making a process, which a memory test may not (its child's memory
 * would count in no scope of the test's).  The verdict is made from what
 * is measured here, in the runner's process (limits.c). */
#include "isolate.h"

#include <alloca.h>
#include <errno.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wordexp.h>

/* ---- the stack a test uses
 *
 * Before the body runs, the stack below it is painted with a pattern down
 * to near its limit; after, the lowest word changed is as deep as the
 * body's calls went (its frames, and the libraries' and the harness's
 * frames it called).  Deterministic: frames have the same sizes at every
 * run, wherever the stack starts.  Figures under PAINT_GAP read as 0. */

enum {
    PAINT_GAP = 256,              /* below the painter's frame: its locals, the red zone */
    PAINT_MAX = 64 * 1024 * 1024, /* the deepest painted, whatever the limit */
    PAINT_MARGIN = 64 * 1024,     /* kept clear above the stack's limit */
};

static const uint64_t paint_word = UINT64_C(0x57AC57AC57AC57AC);

typedef struct stack_watch {
    uintptr_t top;   /* where the body's frames begin */
    uintptr_t floor; /* the lowest word painted */
} stack_watch;

/* The painted stack deeper than a page below the test's stack limit, made
 * inaccessible while the body runs.  The paint sees only words that
 * changed: code that used the stack far below its frames (a pointer to a
 * local, minus a few MiB) and put the paint back would go unseen, and its
 * pages, resident since they were painted, would not grow the kernel's
 * count either.  The first touch of the guard (hb_stack_guard_touched,
 * from the fault handler) lifts it and says the body went that deep at
 * least; honest code over its limit is then measured as before.  A page
 * of slack, so that a frame's probe near the limit is not a touch; the
 * body starts at the same offset in its page (run_aligned), so where the
 * guard begins does not move either.  Only in the test's own process (its
 * fault handler lifts it), and not under the sanitizers (no paint). */
static struct {
    uintptr_t low, high; /* [low, high), page-aligned */
    volatile sig_atomic_t armed, touched;
} guard;

static bool hb_stack_guard_touched(uintptr_t address) {
    if (!guard.armed || address < guard.low || address >= guard.high)
        return false;
    mprotect((void *)guard.low, guard.high - guard.low, PROT_READ | PROT_WRITE);
    guard.armed = 0;
    guard.touched = 1;
    return true;
}

static void arm_guard(uintptr_t top, uintptr_t floor, size_t limit) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    guard.armed = guard.touched = 0;
    if (!hb_child_isolated() || top - floor <= limit + 2 * page)
        return;
    guard.low = (floor + page - 1) & ~(page - 1);
    guard.high = (top - limit - page) & ~(page - 1);
    guard.armed = guard.high > guard.low &&
                  mprotect((void *)guard.low, guard.high - guard.low, PROT_NONE) == 0;
}

/* Lifts the guard if the body did not touch it; returns how deep the body
 * went at least: to the guard's top if it touched it, else 0. */
static size_t disarm_guard(uintptr_t top) {
    if (guard.armed)
        mprotect((void *)guard.low, guard.high - guard.low, PROT_READ | PROT_WRITE);
    guard.armed = 0;
    return guard.touched ? top - guard.high : 0;
}

/* Paints [floor, from) downwards.  Inlined: a frame of its own would sit in
 * what it paints. */
__attribute__((always_inline)) static inline void paint_down(uintptr_t from, uintptr_t floor) {
    /* volatile: stores below this frame's stack pointer, which the compiler
     * would otherwise see as dead. */
    for (volatile uint64_t *word = (volatile uint64_t *)(from & ~(uintptr_t)7);
         (uintptr_t)word > floor; word--)
        word[-1] = paint_word;
}

/* noinline: its frame is where the body's will be.  The stack is painted
 * twice, around the reset of the resident peak: the pages painted are then
 * resident before it, and the reset's own frames are painted over.  Then
 * what lies deeper than `reach` (the test's stack limit) is guarded. */
__attribute__((noinline)) static void paint_stack(stack_watch *watch, size_t reach) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    hb_guard_enter(); /* glibc may allocate to say where the stack is */
    uintptr_t limit = hb_stacks_this_thread().low; /* 0 if unknown */
    hb_guard_leave();
    watch->top = here;
    watch->floor = here - PAINT_GAP;
    bool paint = limit != 0 && here >= limit + PAINT_MARGIN + PAINT_GAP;
    uintptr_t floor = limit + PAINT_MARGIN;
    if (here - floor > PAINT_MAX)
        floor = here - PAINT_MAX;
    floor &= ~(uintptr_t)7;
    if (paint)
        paint_down(watch->floor, floor);
    hb_child_body_starts(); /* the resident peak reset */
    if (paint) {
        paint_down(watch->floor, floor);
        watch->floor = floor;
        arm_guard(here, floor, reach);
    }
}

static size_t stack_used(const stack_watch *watch) {
    uintptr_t painted_top = (watch->top - PAINT_GAP) & ~(uintptr_t)7;
    for (const volatile uint64_t *word = (const volatile uint64_t *)watch->floor;
         (uintptr_t)word < painted_top; word++)
        if (*word != paint_word)
            return watch->top - (uintptr_t)word;
    return 0;
}

/* Paints, runs the body, and says how deep it went.  noinline: the
 * caller's frame is where the body's frames begin. */
__attribute__((noinline)) static size_t run_watched(void (*body)(void), size_t reach) {
    stack_watch watch;
    paint_stack(&watch, reach);
    body();
    size_t at_least = disarm_guard(watch.top), used = stack_used(&watch);
    return used > at_least ? used : at_least;
}

/* A frame that aligns itself (to 32 or 64 bytes, for vector registers)
 * sits up to 48 bytes deeper or shallower as the stack's start moves (the
 * environment's size moves it): the body starts at the same offset from a
 * page's boundary every run (so from a 64-byte one too), so neither its
 * figure nor where the guard begins moves. */
static size_t run_aligned(void (*body)(void), size_t reach) {
    uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
    volatile char *pad = alloca(frame % (uintptr_t)sysconf(_SC_PAGESIZE) + 1);
    pad[0] = 0;
    return run_watched(body, reach);
}

/* The scope of the memory test running now.  A fatal CUnit assertion jumps
 * out of the test body past hb_scope_end(); the suite's tear-down then
 * closes the scope (hb_test_tear_down). */
static hb_scope *running_scope;
static const char *running_test;
static const char *running_file;
static unsigned running_line;

/* The sites of `view` in `scope`. */
static void copy_sites(const hb_scope *scope, enum hb_site_view view, hb_raw_sites *raw) {
    hb_site sites[HB_WIRE_SITES];
    raw->total = hb_scope_sites(scope, view, sites, HB_WIRE_SITES);
    raw->count = raw->total < HB_WIRE_SITES ? (uint32_t)raw->total : HB_WIRE_SITES;
    hb_raw_sites_fill(sites, raw->count, raw);
}

void hb_limits_measure(const hb_scope *scope, size_t stack_bytes, hb_measurement *measurement) {
    measurement->usage = hb_scope_usage(scope);
    measurement->stack_bytes = stack_bytes;
    for (int view = 0; view < HB_WIRE_VIEWS; view++)
        copy_sites(scope, (enum hb_site_view)view, &measurement->sites[view]);
    measurement->events |= HB_EVENT_MEASURED;
}

/* In the test's process: measures, and leaves the verdict to the parent
 * (hb_limits_judge), which reads the limits from its own copy of the test.
 * This copy is parsed only to know whether the body can be measured. */
void hb_run_measured(const char *test, const hb_limits *limits, void (*body)(void),
                     const char *file, unsigned line) {
    hb_measurement *measurement = hb_child_measurement();
    hb_text ignored = {0};
    hb_parsed_limits parsed;
    bool limits_ok = hb_limits_parse(test, limits, &parsed, &ignored) == 0;
    hb_text_free(&ignored);
    const char *not_counting = limits_ok ? hb_memcheck_not_counting() : NULL;
    if (not_counting != NULL) {
        /* make memcheck or valgrind: nothing is counted, so no figure would
         * mean anything; the body's assertions still do. */
        hb_memcheck_skipped("memory limits", not_counting);
        if (hb_memcheck_run(body, test, file, line) != 0)
            measurement->events |= HB_EVENT_SANITIZER_LEAK;
    } else if (limits_ok) {
        if (!hb_child_isolated()) {
            /* What earlier tests left (a cache, stdio's state) is this
             * one's too: its figures may differ from an isolated run's.
             * On CUnit's line of the test; Google Test's output
             * (gtest.c) has a line for it, before any failure's. */
            printf("[not isolated: HEAPBOOK_FORK=0]%s", hb_gtest_requested() ? "\n" : " ");
            fflush(stdout);
        }
        hb_child_on_fatal_assertion(hb_test_tear_down);
        hb_child_on_stack_fault(hb_stack_guard_touched);
        running_scope = hb_scope_begin(HB_SCOPE_STACKS);
        running_test = test;
        running_file = file;
        running_line = line;
        size_t stack_bytes = run_aligned(body, parsed.stack);
        hb_scope_end(running_scope);
        hb_limits_measure(running_scope, stack_bytes, measurement);
        hb_scope_release(running_scope);
        running_scope = NULL;
    }
}

/* True while a memory test's body runs in this process: its name and
 * where it is written, for a message that fails it (fork() & co., below). */
static bool hb_measuring(const char **test, const char **file, unsigned *line) {
    *test = running_test;
    *file = running_file;
    *line = running_line;
    return running_scope != NULL;
}

/* Registered as every HB_TEST's `checked` runner (heapbook.h); run instead
 * of the test only where AddressSanitizer owns malloc (hb_register_test). */
void hb_run_checked(const char *test, void (*body)(void), const char *file, unsigned line) {
    if (hb_memcheck_run(body, test, file, line) != 0)
        hb_child_measurement()->events |= HB_EVENT_SANITIZER_LEAK;
}

void hb_test_tear_down(void) {
    if (running_scope == NULL)
        return;
    hb_scope_end(running_scope);
    hb_scope_release(running_scope);
    running_scope = NULL;
    CU_assertImplementation(CU_FALSE, running_line,
                            "memory limits not checked: the test stopped at a fatal assertion",
                            running_file, "", CU_FALSE);
}

/* ---- child processes: every way the C library offers to make a child
 * process, refused inside a memory test (docs/harness.md: What else
 * counts).
 *
 * A child's allocations are counted in the child's copy of the scope,
 * never in the test's figures: a memory test that starts a process would
 * pass on half its memory.  So inside a memory test each of these fails as
 * it fails when the system refuses (EPERM) and fails the test, saying
 * why; everywhere else it is glibc's own (hb_next_function).
 *
 * Defined here, in the executable, so every call of the program's and of
 * the libraries it loads reaches them; glibc's calls inside itself (its
 * own fork() calling _Fork()) do not, and need not.  What exercise code
 * may name is the allow-list's to say (tools/check-objects.sh); this layer
 * catches the code it reaches through a library.  The harness makes its
 * own children with __fork(), which is left unwrapped for that. */

/* True, with the test failed and errno EPERM, inside a memory test;
 * `how` ("" or " with ...") says what of the call made a child. */
static bool refused_call(const char *function, const char *how) {
    const char *test, *file;
    unsigned line;
    if (!hb_measuring(&test, &file, &line))
        return false;
    char message[400];
    snprintf(message, sizeof message,
             "%s: %s()%s inside a memory test: a child's allocations would not count in this "
             "test's figures; start processes in an HB_TEST, or measure each process on its own",
             test, function, how);
    CU_assertImplementation(CU_FALSE, line, message, file, "", CU_FALSE);
    errno = EPERM;
    return true;
}

static bool refused(const char *function) { return refused_call(function, ""); }

#pragma GCC visibility push(default)

pid_t fork(void) { return refused("fork") ? -1 : __fork(); }

/* vfork()'s child shares the parent's memory until it calls exec: a
 * fork() is what POSIX allows in its place, and safe here. */
pid_t vfork(void) { return refused("vfork") ? -1 : __fork(); }

/* glibc exports its own names too: the same, under them. */
pid_t __vfork(void) HB_ALIAS(vfork);

pid_t _Fork(void) {
    if (refused("_Fork"))
        return -1;
    pid_t (*original)(void) = hb_next_function("_Fork");
    return original();
}

int clone(int (*function)(void *), void *stack, int flags, void *argument, ...) {
    /* glibc's clone() reads these three whatever the flags say */
    va_list more;
    va_start(more, argument);
    pid_t *parent_tid = va_arg(more, pid_t *);
    void *tls = va_arg(more, void *);
    pid_t *child_tid = va_arg(more, pid_t *);
    va_end(more);
    if (refused("clone"))
        return -1;
    int (*original)(int (*)(void *), void *, int, void *, ...) = hb_next_function("clone");
    return original(function, stack, flags, argument, parent_tid, tls, child_tid);
}

int __clone(int (*function)(void *), void *stack, int flags, void *argument, ...) HB_ALIAS(clone);

int daemon(int keep_directory, int keep_streams) {
    if (refused("daemon"))
        return -1;
    int (*original)(int, int) = hb_next_function("daemon");
    return original(keep_directory, keep_streams);
}

pid_t forkpty(int *terminal, char *name, const struct termios *settings,
              const struct winsize *size) {
    if (refused("forkpty"))
        return -1;
    pid_t (*original)(int *, char *, const struct termios *, const struct winsize *) =
        hb_next_function("forkpty");
    return original(terminal, name, settings, size);
}

typedef int spawn_fn(pid_t *, const char *, const posix_spawn_file_actions_t *,
                     const posix_spawnattr_t *, char *const[], char *const[]);

/* posix_spawn() returns its error instead of setting errno. */
int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                const posix_spawnattr_t *attributes, char *const arguments[],
                char *const environment[]) {
    if (refused("posix_spawn"))
        return EPERM;
    spawn_fn *original = hb_next_function("posix_spawn");
    return original(pid, path, actions, attributes, arguments, environment);
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                 const posix_spawnattr_t *attributes, char *const arguments[],
                 char *const environment[]) {
    if (refused("posix_spawnp"))
        return EPERM;
    spawn_fn *original = hb_next_function("posix_spawnp");
    return original(pid, file, actions, attributes, arguments, environment);
}

int system(const char *command) {
    if (refused("system"))
        return -1;
    int (*original)(const char *) = hb_next_function("system");
    return original(command);
}

FILE *popen(const char *command, const char *mode) {
    if (refused("popen"))
        return NULL;
    FILE *(*original)(const char *, const char *) = hb_next_function("popen");
    return original(command, mode);
}

/* wordexp() runs a shell for each command substitution ("$(...)"): in a
 * memory test it expands everything else, and a substitution fails the
 * test instead. */
int wordexp(const char *words, wordexp_t *expanded, int flags) {
    int (*original)(const char *, wordexp_t *, int) = hb_next_function("wordexp");
    const char *test, *file;
    unsigned line;
    if ((flags & WRDE_NOCMD) || !hb_measuring(&test, &file, &line))
        return original(words, expanded, flags);
    int status = original(words, expanded, flags | WRDE_NOCMD);
    if (status == WRDE_CMDSUB)
        refused_call("wordexp", " with a command substitution");
    return status;
}

#pragma GCC visibility pop
