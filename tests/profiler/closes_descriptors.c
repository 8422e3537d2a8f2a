/* Closes every descriptor but the standard three and opens a file of its
 * own, as daemons do (the file gets descriptor 3), then allocates: for
 * tests/profiler/check.sh, which requires the file to hold only what the
 * program wrote, and the capture every allocation.
 *
 *   1 malloc(64) and 1000 malloc(100), each freed before the next: peak
 *   100 B, 1001 allocations, 1001 frees, nothing left. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2)
        return 2;
    closefrom(STDERR_FILENO + 1);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return 1;
    char *line = malloc(64);
    strcpy(line, "the program's own line\n");
    ssize_t written = write(fd, line, strlen(line));
    free(line);
    for (int i = 0; i < 1000; i++)
        free(malloc(100));
    close(fd);
    return written > 0 ? 0 : 1;
}
