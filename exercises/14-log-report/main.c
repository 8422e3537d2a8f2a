/* Exercise 14 as a program, to run under heapbook (make run EX=14, make
 * flamegraph EX=14) or a debugger:
 *
 *     build/exercises/14-log-report/program [LOG]
 *
 * writes the report of the access log LOG, or with no argument of the one
 * that comes with the exercise (run it from the top of the repository).
 */
#include "log_report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The report goes straight to standard output with write(): stdio would
 * allocate a buffer of its own, of a size that depends on where the output
 * goes (a terminal, a pipe, a file), and the profile would change with it. */
static bool write_out(void *context, const char *bytes, size_t length) {
    (void)context;
    while (length > 0) {
        ssize_t written = write(STDOUT_FILENO, bytes, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            return false;
        bytes += written;
        length -= (size_t)written;
    }
    return true;
}

int main(int argc, char **argv) {
    if (argc > 2) {
        fprintf(stderr, "usage: %s [LOG]\n", argv[0]);
        return 2;
    }
    const char *path = argc == 2 ? argv[1] : SAMPLE_ACCESS_LOG;
    report_sink sink = {.write = write_out};
    int error = log_report(path, &sink);
    if (error == 0)
        return 0;
    if (error == EIO)
        fprintf(stderr, "log_report: cannot write the report of %s: %s\n", path, strerror(errno));
    else
        fprintf(stderr, "log_report: cannot report on %s: %s%s\n", path, strerror(error),
                argc == 1 && error == ENOENT
                    ? "; run the program from the top of the repository (make run EX=14 does),"
                      " or name the log: program LOG"
                    : "");
    return 1;
}
