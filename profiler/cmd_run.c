/* heapbook run: runs a program with libheapbook-preload.so and says where
 * the capture went and how to look at it. */
#include "commands.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The library sits in ../lib beside this program's bin/. */
static bool find_preload(char *path, size_t size) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    snprintf(path, size, "%s/../lib/libheapbook-preload.so", dirname(self));
    return access(path, R_OK) == 0;
}

static void default_capture_name(const char *program, char *name, size_t size) {
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", program);
    snprintf(name, size, "heapbook-%s.%d.hbcap", basename(copy), (int)getpid());
}

int command_run(int argc, char **argv) {
    const char *output = NULL;
    bool follow_fork = false;
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            output = argv[++i];
        else if (strcmp(argv[i], "--follow-fork") == 0)
            follow_fork = true;
        else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else
            return usage_error("run", "unknown option %s", argv[i]);
    }
    if (i == argc)
        return usage_error(
            "run", "which program? heapbook run [-o FILE] [--follow-fork] PROGRAM [ARGS...]");
    char preload[PATH_MAX + 32], capture[PATH_MAX];
    if (!find_preload(preload, sizeof preload)) {
        fprintf(stderr,
                "heapbook: cannot find libheapbook-preload.so beside heapbook (%s); run make\n",
                preload);
        return 2;
    }
    if (output == NULL)
        default_capture_name(argv[i], capture, sizeof capture);
    else
        snprintf(capture, sizeof capture, "%s", output);

    pid_t child = fork();
    if (child < 0) {
        perror("heapbook: fork");
        return 2;
    }
    if (child == 0) {
        char root[32];
        snprintf(root, sizeof root, "%d", (int)getpid());
        setenv("LD_PRELOAD", preload, 1);
        setenv("HEAPBOOK_CAPTURE", capture, 1);
        setenv("HEAPBOOK_ROOT_PID", root, 1);
        if (follow_fork)
            setenv("HEAPBOOK_FOLLOW_FORK", "1", 1);
        execvp(argv[i], argv + i);
        fprintf(stderr, "heapbook: cannot run %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    /* The program owns the terminal's Ctrl-C; heapbook just waits for it. */
    signal(SIGINT, SIG_IGN);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (access(capture, R_OK) != 0) {
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 127))
            fprintf(stderr,
                    "heapbook: %s wrote no capture: is it statically linked? LD_PRELOAD only "
                    "reaches dynamically linked programs\n",
                    argv[i]);
    } else {
        /* The command as the user can type it: heapbook need not be on PATH. */
        fprintf(stderr, "heapbook: wrote %s\nheapbook: to see it: %s flamegraph %s\n", capture,
                program_invocation_name, capture);
    }
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        raise(WTERMSIG(status)); /* die the same way, so the caller sees it */
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}
