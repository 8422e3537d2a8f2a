/* heapbook run: starts a program with libheapbook-preload.so, collects
 * what it records into a capture (collector.c), and says where the capture
 * went and how to look at it.
 *
 * Everything that can be checked before the program runs is: a program
 * LD_PRELOAD cannot reach, a capture file that cannot be written or that
 * holds something else.  Each is an error with exit status 2, and the
 * program is not run. */
#include "capture_file.h"
#include "channel.h"
#include "collector.h"
#include "commands.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

enum { CAPTURES_LISTED = 4 };

/* The library sits in ../lib beside this program's bin/. */
static bool find_preload(bool mimalloc, char *path, size_t size) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    snprintf(path, size, "%s/../lib/libheapbook-preload%s.so", dirname(self),
             mimalloc ? "-mimalloc" : "");
    return access(path, R_OK) == 0;
}

/* `name` as execvp would find it. */
static bool find_program(const char *name, char *path, size_t size) {
    if (strchr(name, '/') != NULL) {
        snprintf(path, size, "%s", name);
        return access(path, X_OK) == 0;
    }
    const char *search = getenv("PATH");
    for (const char *dir = search ? search : "/usr/bin:/bin"; *dir;) {
        size_t length = strcspn(dir, ":");
        snprintf(path, size, "%.*s/%s", (int)(length ? length : 1), length ? dir : ".", name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
            return true;
        dir += length + (dir[length] == ':');
    }
    return false;
}

/* True if the ELF file `fd` names a dynamic loader (PT_INTERP): only then
 * does LD_PRELOAD reach it.  Any other file (a script) is left to run. */
static bool statically_linked(int fd) {
    unsigned char ident[EI_NIDENT];
    if (pread(fd, ident, sizeof ident, 0) != (ssize_t)sizeof ident ||
        memcmp(ident, ELFMAG, SELFMAG) != 0)
        return false;
    bool wide = ident[EI_CLASS] == ELFCLASS64;
    Elf64_Ehdr e64;
    Elf32_Ehdr e32;
    uint64_t phoff;
    unsigned phnum, phentsize;
    if (wide && pread(fd, &e64, sizeof e64, 0) == (ssize_t)sizeof e64) {
        phoff = e64.e_phoff, phnum = e64.e_phnum, phentsize = e64.e_phentsize;
    } else if (!wide && pread(fd, &e32, sizeof e32, 0) == (ssize_t)sizeof e32) {
        phoff = e32.e_phoff, phnum = e32.e_phnum, phentsize = e32.e_phentsize;
    } else {
        return false;
    }
    for (unsigned i = 0; i < phnum; i++) {
        uint32_t type;
        if (pread(fd, &type, sizeof type, (off_t)(phoff + (uint64_t)i * phentsize)) !=
            (ssize_t)sizeof type)
            return false;
        if (type == PT_INTERP)
            return false;
    }
    return true;
}

/* Why LD_PRELOAD cannot reach `path`, or NULL if it can. */
static const char *unreachable(const char *path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return NULL; /* exec will say why */
    }
    bool is_static = S_ISREG(st.st_mode) && statically_linked(fd);
    close(fd);
    if (is_static)
        return "it is statically linked, and LD_PRELOAD reaches only dynamically linked "
               "programs; build it without -static";
    if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
        ((st.st_mode & S_ISGID) && st.st_gid != getegid()))
        return "it is set-user-ID or set-group-ID, and the dynamic loader ignores "
               "LD_PRELOAD for it; record a copy without that bit";
    if (getxattr(path, "security.capability", NULL, 0) > 0)
        return "it has file capabilities, and the dynamic loader ignores LD_PRELOAD for it; "
               "record a copy without them";
    return NULL;
}

static void default_capture_name(const char *program, char *name, size_t size) {
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", program);
    snprintf(name, size, "heapbook-%s.%d.hbcap", basename(copy), (int)getpid());
}

/* LD_PRELOAD with ours first, so that RTLD_NEXT from it finds any
 * allocator the user preloads. */
static void preload_first(const char *preload) {
    const char *theirs = getenv("LD_PRELOAD");
    char value[2 * PATH_MAX];
    if (theirs != NULL && theirs[0] != '\0')
        snprintf(value, sizeof value, "%s:%s", preload, theirs);
    else
        snprintf(value, sizeof value, "%s", preload);
    setenv("LD_PRELOAD", value, 1);
}

static volatile sig_atomic_t stop_signal;
static void forward_later(int signal) { stop_signal = signal; }

/* Ctrl-C and Ctrl-\ reach the program from the terminal; heapbook waits
 * for it to end and writes the capture.  A termination signal sent to
 * heapbook alone is passed on to the program, for the same reason. */
static void handle_signals(void) {
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    struct sigaction forward = {.sa_handler = forward_later};
    sigaction(SIGTERM, &forward, NULL);
    sigaction(SIGHUP, &forward, NULL);
}

static void say_how_it_ended(const char *program, int status) {
    if (WIFSIGNALED(status))
        fprintf(stderr,
                "heapbook: %s was killed by signal %d (%s): the capture covers it until then\n",
                program, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        fprintf(stderr,
                "heapbook: %s ended without exit() (with _exit(%d), or a failed exec): the "
                "capture covers it until then\n",
                program, WEXITSTATUS(status));
}

static void list_other_captures(const collector_result *r, const char *capture) {
    if (r->other_captures == 0)
        return;
    fprintf(stderr, "heapbook: and %zu capture%s of the processes it started:", r->other_captures,
            r->other_captures == 1 ? "" : "s");
    for (size_t i = 0; i < r->other_captures && i < CAPTURES_LISTED; i++)
        fprintf(stderr, " %s", r->other_paths[i]);
    fprintf(stderr, "%s\nheapbook: all of them on one page: %s flamegraph %s %s.*\n",
            r->other_captures > CAPTURES_LISTED ? " ..." : "", program_invocation_name, capture,
            capture);
}

/* The programs recorded processes exec'd and the preload never reached;
 * true if there were any (heapbook run then fails: a capture that looks
 * whole would hide them). */
static bool report_unrecorded(const collector_result *r) {
    for (size_t i = 0; i < r->unrecorded_count; i++)
        fprintf(stderr,
                "heapbook: process %d exec'd %s, which was not recorded: libheapbook-preload.so "
                "never started in it (it cleared LD_PRELOAD, or the program is statically linked "
                "or set-user-ID, or it may no longer open heapbook's channel); %s holds what "
                "came before\n",
                (int)r->unrecorded[i].pid, r->unrecorded[i].program, r->unrecorded[i].capture);
    return r->unrecorded_count > 0;
}

/* The program's exit status as heapbook's, or its death by the same signal. */
static int pass_on(int status) {
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        raise(WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

int command_run(const command_options *o) {
    const char *output = o->output;
    bool follow_fork = o->follow_fork, mimalloc = o->mimalloc;
    char **arguments = o->operands;
    const char *program = arguments[0];
    char preload[PATH_MAX + 32], path[PATH_MAX], capture[PATH_MAX], error[PATH_MAX + 256];
    if (!find_preload(mimalloc, preload, sizeof preload)) {
        fprintf(stderr, "heapbook: cannot find %s beside heapbook; run make\n", preload);
        return 2;
    }
    if (!find_program(program, path, sizeof path)) {
        fprintf(stderr, "heapbook: cannot run %s: %s\n", program,
                strchr(program, '/') ? strerror(errno) : "no such program in PATH");
        return 127;
    }
    const char *why = unreachable(path);
    if (why != NULL) {
        fprintf(stderr, "heapbook: cannot record %s: %s\n", program, why);
        return 2;
    }
    if (output == NULL)
        default_capture_name(program, capture, sizeof capture);
    else
        snprintf(capture, sizeof capture, "%s", output);
    int capture_fd = capture_file_create(capture, error, sizeof error);
    if (capture_fd < 0) {
        fprintf(stderr, "heapbook: %s\n", error);
        return 2;
    }
    channel_collector channel;
    collector *c = NULL;
    bool ready = channel_create(&channel, error, sizeof error);
    if (ready && (c = collector_new(&channel, capture, capture_fd)) == NULL)
        snprintf(error, sizeof error, "out of memory");
    fflush(NULL);
    pid_t child = c != NULL ? fork() : -1;
    if (c != NULL && child < 0)
        snprintf(error, sizeof error, "cannot start %s: %s", program, strerror(errno));
    if (child < 0) {
        fprintf(stderr, "heapbook: %s\n", error);
        if (c == NULL)
            close(capture_fd);
        collector_free(c);
        channel_close(&channel);
        unlink(capture);
        return 2;
    }
    if (child == 0) {
        char root[32];
        snprintf(root, sizeof root, "%d", (int)getpid());
        preload_first(preload);
        setenv("HEAPBOOK_CHANNEL", channel.path, 1);
        setenv("HEAPBOOK_ROOT_PID", root, 1);
        setenv("HEAPBOOK_FOLLOW_FORK", follow_fork ? "1" : "0", 1);
        execv(path, arguments);
        fprintf(stderr, "heapbook: cannot run %s: %s\n", program, strerror(errno));
        _exit(127);
    }
    handle_signals();
    int status;
    collector_run(c, child, &status, &stop_signal);
    collector_result result;
    collector_finish(c, &result);
    channel_close(&channel);

    int exit_status = -1; /* the program's own */
    if (result.error != NULL) {
        fprintf(stderr, "heapbook: cannot write %s: %s: the capture is incomplete\n", result.error,
                result.error_text);
        exit_status = 2;
    } else if (!result.root_recorded) {
        unlink(capture);
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 127))
            fprintf(stderr,
                    "heapbook: %s was not recorded: libheapbook-preload.so never ran in it (does "
                    "it clear LD_PRELOAD?); no capture written\n",
                    program);
        exit_status = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? 127 : 2;
    } else {
        /* The command as the user can type it: heapbook need not be on PATH. */
        fprintf(stderr, "heapbook: wrote %s\n", capture);
        if (!result.root_ended && !result.root_unrecorded)
            say_how_it_ended(program, status);
        list_other_captures(&result, capture);
        fprintf(stderr, "heapbook: to see it: %s flamegraph %s\n", program_invocation_name,
                capture);
    }
    if (report_unrecorded(&result))
        exit_status = 2;
    collector_result_free(&result);
    collector_free(c);
    return exit_status == -1 ? pass_on(status) : exit_status;
}
