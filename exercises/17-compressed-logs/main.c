/* Exercise 17 as a program, to run under heapbook (make flamegraph EX=17),
 * valgrind or a debugger:
 *
 *     build/exercises/17-compressed-logs/program [CHANNELS [LINES]]
 *
 * archives a day of logs from CHANNELS services (40 by default), LINES
 * lines each (200 by default), and says how small each became. */
#include "archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_count(const char *text, unsigned long most, unsigned long *count) {
    char *end;
    *count = strtoul(text, &end, 10);
    return *text != '\0' && *end == '\0' && *count > 0 && *count <= most;
}

int main(int argc, char **argv) {
    unsigned long channels = 40, lines = 200;
    if (argc > 3 || (argc > 1 && !parse_count(argv[1], ARCHIVE_MOST_CHANNELS, &channels)) ||
        (argc > 2 && !parse_count(argv[2], 1000000, &lines))) {
        fprintf(stderr, "usage: %s [CHANNELS [LINES]] (CHANNELS from 1 to %d)\n", argv[0],
                ARCHIVE_MOST_CHANNELS);
        return 2;
    }
    archive *a = archive_new();
    size_t raw = 0;
    bool ok = a != NULL;
    for (unsigned long n = 0; ok && n < channels * lines; n++) {
        char name[32], line[96];
        unsigned long t = n / channels;
        snprintf(name, sizeof name, "service-%lu", n % channels);
        snprintf(line, sizeof line, "2026-12-07T%02lu:%02lu:%02lu GET /api/items/%lu 200 %lu ms",
                 t / 3600 % 24, t / 60 % 60, t % 60, t % 97, t % 13 + 1);
        raw += strlen(line) + 1;
        ok = archive_append(a, name, line);
    }
    ok = ok && archive_finish(a);
    if (!ok) {
        fprintf(stderr, "%s: out of memory, or zlib failed\n", argv[0]);
        archive_free(a);
        return 1;
    }
    size_t compressed = 0, length;
    for (size_t i = 0; i < archive_channels(a); i++) {
        archive_channel_stream(a, i, &length);
        compressed += length;
    }
    printf("%lu channels, %zu bytes of log lines: %zu bytes compressed\n", channels, raw,
           compressed);
    archive_free(a);
    return 0;
}
