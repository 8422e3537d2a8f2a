/* read_only.c: a test's process may open files only to read them
 * (isolate.h; docs/harness.md: Nothing the test runs writes where the
 * verdict comes from).
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
 * like any fatal signal, with where the open was made (death.c names it).
 * The filter holds for every process the test makes, and cannot be lifted.
 *
 * Not under valgrind (below), which judges memory errors, not figures.
 *
 * openat2() takes its flags in a structure a filter cannot read: it is
 * refused as a kernel without it would (ENOSYS), and callers fall back to
 * openat().  A system call of another ABI (i386, x32) ends the process:
 * ordinary C code makes none. */
#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
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
