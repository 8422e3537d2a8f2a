/* libFuzzer entry for every heapbook command that reads a capture: any
 * bytes must give a report or a clear error, never a crash, a hang, a leak
 * or a huge allocation.  `make fuzz` runs it from tests/profiler/corpus/.
 *
 * An input is one selector byte, then a capture file.  The selector picks
 * the command and its options, so that the fuzzer explores them as it
 * explores the capture:
 *
 *   low 3 bits   0 summary, 1 tree, 2 stats, 3 export, 4 flamegraph,
 *                5 flamegraph --diff (the capture against itself),
 *                6 flamegraph of the capture twice (a combined page),
 *                7 the reader and the replay alone
 *   bit 3        --leaks (--json for stats)
 *   bit 4        --inverted (flamegraph)
 *   bit 5        the rest is records, not a file: they are compressed
 *                and given the file header here, so that mutations reach
 *                the records' grammar, not only zstd's
 *   bits 6-7     export's format: collapsed, pprof, speedscope, csv
 *
 * The capture goes through a memfd and /proc/self/fd, as a file would;
 * the pages go to /dev/null, and make fuzz closes stdout and stderr for
 * the reports (-close_fd_mask=3: libFuzzer keeps its own). */
#include "capture_file.h"
#include "capture_reader.h"
#include "commands.h"
#include "replay.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

/* The formats export writes, by the selector's two top bits. */
static char *const FORMATS[] = {"collapsed", "pprof", "speedscope", "csv"};

static void run_command(uint8_t selector, const char *path) {
    bool option = selector & 8, inverted = selector & 16;
    char *argv[8];
    int argc = 0;
    const char *name;
    switch (selector & 7) {
    case 0:
        name = "summary";
        break;
    case 1:
        name = "tree";
        break;
    case 2:
        name = "stats";
        break;
    case 3:
        name = "export";
        argv[argc++] = "--format";
        argv[argc++] = FORMATS[selector >> 6];
        break;
    default:
        name = "flamegraph";
        argv[argc++] = "-o";
        argv[argc++] = "/dev/null";
        if (inverted)
            argv[argc++] = "--inverted";
        if ((selector & 7) == 5) {
            argv[argc++] = "--diff";
            argv[argc++] = (char *)path;
        } else if ((selector & 7) == 6) {
            argv[argc++] = (char *)path;
        }
    }
    if (option)
        argv[argc++] = (selector & 7) == 2 ? "--json" : "--leaks";
    argv[argc++] = (char *)path;
    argv[argc] = NULL;
    const command_entry *command = command_named(name);
    command_options options;
    int status;
    if (command_parse(command, argc, argv, &options, &status))
        command->run(&options);
    fflush(stdout);
}

/* The reader and the replay on the bytes in memory, with a second pass. */
static void replay_memory(const uint8_t *data, size_t size) {
    capture c;
    char error[CAPTURE_ERROR];
    if (!capture_open_memory("fuzz", data, size, &c, error))
        return;
    replay r;
    if (replay_run(&c, &r, error)) {
        snapshots s;
        replay_snapshots(&c, &r, &s, error);
        snapshots_free(&s);
    }
    replay_free(&r);
    capture_close(&c);
}

/* Records as a capture file: the header, then them as one zstd frame.
 * NULL if memory runs out; the caller frees it. */
static uint8_t *as_capture(const uint8_t *records, size_t size, size_t *file_size) {
    size_t bound = ZSTD_compressBound(size);
    uint8_t *file = malloc(CAPTURE_FILE_HEADER + bound);
    if (file == NULL)
        return NULL;
    capture_file_header(file);
    size_t n = ZSTD_compress(file + CAPTURE_FILE_HEADER, bound, records, size, 1);
    if (ZSTD_isError(n)) {
        free(file);
        return NULL;
    }
    *file_size = CAPTURE_FILE_HEADER + n;
    return file;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    uint8_t selector = data[0];
    size_t file_size = size - 1;
    uint8_t *made = (selector & 32) ? as_capture(data + 1, size - 1, &file_size) : NULL;
    const uint8_t *file = made ? made : data + 1;
    if ((selector & 32) && made == NULL)
        return 0;
    if ((selector & 7) == 7) {
        replay_memory(file, file_size);
        free(made);
        return 0;
    }
    int fd = memfd_create("fuzz-capture", MFD_CLOEXEC);
    if (fd >= 0 && write(fd, file, file_size) == (ssize_t)file_size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        run_command(selector, path);
    }
    if (fd >= 0)
        close(fd);
    free(made);
    return 0;
}
