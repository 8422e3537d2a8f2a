/* output_file.c: opening what heapbook writes without overwriting anyone
 * else's file (output_file.h). */
#include "output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool same_file(const struct stat *st, const char *other) {
    struct stat o;
    return stat(other, &o) == 0 && o.st_dev == st->st_dev && o.st_ino == st->st_ino;
}

/* True if the regular file `st` at `path` is empty or `kind`'s own; a
 * file that cannot be read is not known to be. */
static bool ours(const char *path, const struct stat *st, const output_kind *kind) {
    if (st->st_size == 0)
        return true;
    int reading = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (reading < 0)
        return false;
    unsigned char start[OUTPUT_PROBE];
    ssize_t n = pread(reading, start, sizeof start, 0);
    close(reading);
    return n > 0 && kind->recognize(start, (size_t)n);
}

int output_file_create(const char *path, const output_kind *kind, char *const *inputs,
                       size_t input_count, char *error, size_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(error, size, "cannot write %s %s: %s%s", kind->what, path, strerror(errno),
                 errno == EISDIR  ? " (give -o a file name)"
                 : errno == ENXIO ? " (a FIFO nothing reads)"
                                  : "");
        return -1;
    }
    struct stat st;
    const char *input = NULL;
    bool regular = false;
    int failure = fstat(fd, &st) != 0 ? errno : 0;
    if (failure == 0) {
        regular = S_ISREG(st.st_mode);
        for (size_t i = 0; regular && i < input_count && input == NULL; i++)
            input = same_file(&st, inputs[i]) ? inputs[i] : NULL;
    }
    if (failure != 0)
        snprintf(error, size, "cannot write %s %s: %s", kind->what, path, strerror(failure));
    else if (!regular && !(kind->streams && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))))
        snprintf(error, size, "cannot write %s %s: not a regular file", kind->what, path);
    else if (input != NULL)
        snprintf(error, size,
                 "not writing %s into %s: that is the capture being read%s%s%s; choose another "
                 "name with -o",
                 kind->what, path, strcmp(input, path) ? " (" : "",
                 strcmp(input, path) ? input : "", strcmp(input, path) ? ")" : "");
    else if (regular && !ours(path, &st, kind))
        snprintf(error, size,
                 "not writing %s into %s: that file exists and is not %s; choose another name "
                 "with -o, or remove it",
                 kind->what, path, kind->kind);
    else if ((regular && ftruncate(fd, 0) != 0) || fcntl(fd, F_SETFL, 0) != 0)
        snprintf(error, size, "cannot write %s %s: %s", kind->what, path, strerror(errno));
    else
        return fd;
    close(fd);
    return -1;
}

FILE *output_file_open(const char *path, const output_kind *kind, char *const *inputs,
                       size_t input_count) {
    char error[4400];
    int fd = output_file_create(path, kind, inputs, input_count, error, sizeof error);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && out == NULL) {
        snprintf(error, sizeof error, "cannot write %s %s: %s", kind->what, path, strerror(errno));
        close(fd);
    }
    if (out == NULL)
        fprintf(stderr, "heapbook: %s\n", error);
    return out;
}
