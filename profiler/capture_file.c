#include "capture_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What every capture heapbook ever wrote starts with (versions 1 to 3). */
static const char ANY_CAPTURE[] = "HBCAP";

void capture_file_header(unsigned char header[CAPTURE_FILE_HEADER]) {
    memcpy(header, CAPTURE_MAGIC, CAPTURE_MAGIC_SIZE);
    uint32_t fields[2] = {CAPTURE_VERSION, CAPTURE_COMPRESSION_ZSTD};
    for (int i = 0; i < 8; i++)
        header[CAPTURE_MAGIC_SIZE + i] = (unsigned char)(fields[i / 4] >> (8 * (i % 4)));
}

static bool holds_a_capture_or_nothing(int fd, const struct stat *st) {
    char start[sizeof ANY_CAPTURE - 1];
    return st->st_size == 0 || (pread(fd, start, sizeof start, 0) == (ssize_t)sizeof start &&
                                memcmp(start, ANY_CAPTURE, sizeof start) == 0);
}

int capture_file_create(const char *path, char *error, size_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(error, size, "cannot write the capture %s: %s%s", path, strerror(errno),
                 errno == EISDIR  ? " (give -o a file name)"
                 : errno == ENXIO ? " (a FIFO)"
                                  : "");
        return -1;
    }
    struct stat st;
    int reading = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(error, size, "cannot write the capture %s: not a regular file", path);
    } else if (reading < 0 ? st.st_size > 0 : !holds_a_capture_or_nothing(reading, &st)) {
        snprintf(error, size,
                 "not writing the capture into %s: that file exists and is not a heapbook "
                 "capture; choose another name with -o, or remove it",
                 path);
    } else if (ftruncate(fd, 0) != 0 || fcntl(fd, F_SETFL, 0) != 0) {
        snprintf(error, size, "cannot write the capture %s: %s", path, strerror(errno));
    } else {
        if (reading >= 0)
            close(reading);
        return fd;
    }
    if (reading >= 0)
        close(reading);
    close(fd);
    return -1;
}
