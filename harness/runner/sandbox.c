/* sandbox.c: what the code under test may do besides allocating, in the
 * test's process (runner.h: Sandbox; isolate.h): it may open files only to
 * read them, and an exit handler it registers, which never runs, is said
 * on its test's line.  (The processes a memory test may not start:
 * measure.c.)
 *
 * Each is kept below the code it watches: the kernel's seccomp filter for
 * files; for exit handlers, the C library's own entry points, defined here
 * in the executable.
 *
 * ---- read-only files: a test's process may open files only to read them
 * (docs/harness.md: Nothing the test runs writes where the verdict comes
 * from).
 *
 * Exercise code can call fopen(), freopen() or lesson 14's open(), and a
 * path names more than files: /proc/self/fd/N reopens the runner's channel,
 * /proc/self/mem writes past page protections into the harness's code and
 * counters, /proc/self/clear_refs resets the kernel's high-water mark the
 * backstop reads, and a results file or a cached verdict is where make
 * progress looks.  No list of such paths can be complete (/dev/fd,
 * /proc/PID, /proc/thread-self, symbolic links...), so the kernel refuses
 * the mode instead: a seccomp filter, installed in the test's process once
 * the harness has opened what it writes to, traps every open that could
 * write (write access, create, truncate, append, an unnamed temporary
 * file), whatever the path.  The trap is SIGSYS, which the child reports
 * like any fatal signal, with where the open was made (judge.c names it).
 * The filter holds for every process the test makes, and cannot be lifted.
 *
 * Not under valgrind (below), which judges memory errors, not figures.
 *
 * openat2() takes its flags in a structure a filter cannot read: it is
 * refused as a kernel without it would (ENOSYS), and callers fall back to
 * openat().  A system call of another ABI (i386, x32) ends the process:
 * ordinary C code makes none. */
#include "isolate.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h> /* atexit & co., which this file defines */
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#endif

/* Every flag that makes an open able to change a file. */
#define WRITING_FLAGS                                                                              \
    (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | (O_TMPFILE & ~O_DIRECTORY))

/* The system call's number, and its flags' argument (the low 32 bits: on
 * both architectures, little-endian). */
#define LOAD_NUMBER BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LOAD_ARGUMENT(n)                                                                           \
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * (n))
/* If the number is `nr`, judge its flags in argument `n`: the next four
 * instructions load them, trap if one writes, and allow otherwise; past
 * them, the number is still loaded. */
#define JUDGE_FLAGS(nr, n)                                                                         \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4), LOAD_ARGUMENT(n),                             \
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, WRITING_FLAGS, 0, 1),                                 \
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

__attribute__((weak)) const bool hb_test_process_writes_files = false;

bool hb_read_only_enter(void) {
    /* volatile: the compiler would take this weak definition's value as
     * the only one, and the linker may have chosen another. */
    if (*(const volatile bool *)&hb_test_process_writes_files)
        return false;
#if !HB_SANITIZED
    /* valgrind does not know seccomp's system call: it would refuse it,
     * with a warning in every test's output.  Under valgrind nothing is
     * counted (its malloc serves the test), and its verdict is its own. */
    if (hb_memcheck_not_counting() != NULL)
        return false;
#endif
#ifdef THIS_ARCH
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        LOAD_NUMBER,
#ifdef __X32_SYSCALL_BIT
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
#ifdef SYS_creat
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_creat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
#endif
#ifdef SYS_open
        JUDGE_FLAGS(SYS_open, 1),
#endif
        JUDGE_FLAGS(SYS_openat, 2),
        JUDGE_FLAGS(SYS_open_by_handle_at, 2),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    /* No new privileges: what an unprivileged process must promise before
     * it may filter its own system calls (and a test execs nothing). */
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0;
#else
    return false;
#endif
}

/* ---- exit handlers a test registers (runner.h: Sandbox).
 *
 * A test's process ends with _exit(), as it must: exit() would run what
 * the runner's process and its libraries registered, once per test.  So a
 * handler the code under test registers with atexit(), on_exit() or
 * at_quick_exit() never runs, and what it would do (free a cache, flush a
 * file, crash) is never tested.  Not a failure: the test checked what it
 * checked, and a program's end is not a test's.  But it is said, on the
 * test's line: these functions are defined here, pass each registration on
 * to the C library, and note its caller in a page shared with the
 * runner's process, which reads it when the test is over. */

enum { MAX_NOTED = 4 };

typedef struct registrations {
    _Atomic unsigned count;
    const char *function[MAX_NOTED]; /* "atexit", ... (static strings: the same in every process) */
    uintptr_t caller[MAX_NOTED];
} registrations;

/* The module's state: the page every test's process writes in. */
static registrations *shared;

__attribute__((constructor)) static void map_the_shared_page(void) {
    void *page = hb_sys_mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared = page == MAP_FAILED ? NULL : page;
}

static void note(const char *function, uintptr_t caller) {
    if (shared == NULL)
        return;
    unsigned at = atomic_fetch_add(&shared->count, 1);
    if (at < MAX_NOTED) {
        shared->function[at] = function;
        shared->caller[at] = caller;
    }
}

/* The C library's own: atexit() and at_quick_exit() are its small static
 * wrappers around these (libc_nonshared.a), given the executable's
 * handle. */
extern int __cxa_atexit(void (*function)(void *), void *argument, void *dso);
extern int __cxa_at_quick_exit(void (*function)(void), void *dso);
extern void *__dso_handle;

HB_API int atexit(void (*function)(void)) {
    note("atexit", (uintptr_t)__builtin_return_address(0));
    return __cxa_atexit((void (*)(void *))function, NULL, __dso_handle);
}

HB_API int at_quick_exit(void (*function)(void)) {
    note("at_quick_exit", (uintptr_t)__builtin_return_address(0));
    return __cxa_at_quick_exit(function, __dso_handle);
}

HB_API int on_exit(void (*function)(int, void *), void *argument) {
    static int (*next)(void (*)(int, void *), void *);
    if (next == NULL) {
        hb_guard_enter(); /* dlsym may allocate its error text */
        next = (int (*)(void (*)(int, void *), void *))dlsym(RTLD_NEXT, "on_exit");
        hb_guard_leave();
    }
    note("on_exit", (uintptr_t)__builtin_return_address(0));
    return next != NULL ? next(function, argument) : -1;
}

void hb_exit_handlers_forget(void) {
    if (shared != NULL)
        atomic_store(&shared->count, 0);
}

void hb_exit_handlers_say(void) {
    if (shared == NULL || !hb_runner_isolated())
        return;
    unsigned count = atomic_load(&shared->count);
    for (unsigned i = 0; i < count && i < MAX_NOTED; i++) {
        hb_location where;
        hb_symbolize(shared->caller[i], true, &where);
        /* The harness's own (the test's process notes its exit()). */
        if (strncmp(where.file, "harness/", strlen("harness/")) == 0)
            continue;
        char line[HB_FUNCTION_NAME + HB_FILE_NAME + 16];
        hb_location_format(&where, line, sizeof line);
        /* On CUnit's line of the test; Google Test's output (gtest.c) has
         * a line for it, as for the other notes. */
        printf("[%s() in %s registered a handler that never ran: a test's process ends without "
               "running exit handlers, so what it does is not tested]%s",
               shared->function[i], line, hb_gtest_requested() ? "\n" : " ");
    }
    fflush(stdout);
    hb_exit_handlers_forget();
}
