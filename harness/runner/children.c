/* children.c: every way the C library offers to make a child process,
 * refused inside a memory test (docs/harness.md: What else counts).
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
#include "runner.h"

#include <errno.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <wordexp.h>

extern pid_t __fork(void);

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
