/* Exercise 07 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/07-struct-padding/program [COUNT]
 *
 * fills a log with COUNT made-up readings (default: 1000000, as many as the
 * memory test) and prints how many were valid and their mean temperature.
 */
#include "readings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

enum { STATIONS = 500, SECONDS_BETWEEN_ROUNDS = 60 };

static bool parse_count(const char *text, size_t *count) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
        fprintf(stderr, "readings: \"%s\" is not a count (a whole number >= 0)\n", text);
        return false;
    }
    *count = (size_t)value;
    return true;
}

/* Every station reports in turn, once a minute, a temperature, a pressure
 * or a humidity; one reading in 17 is flagged as doubtful. */
static bool fill(reading_log *log, size_t count) {
    for (size_t i = 0; i < count; i++) {
        short station = (short)(i % STATIONS);
        int time = (int)(i / STATIONS * SECONDS_BETWEEN_ROUNDS);
        char unit = "CP%"[i % 3];
        double value = unit == 'C' ? (double)(i % 400) / 10 - 10 : unit == 'P' ? 1013.25 : 55;
        if (!reading_log_add(log, station, time, value, unit, i % 17 != 0))
            return false;
    }
    return true;
}

int main(int argc, char **argv) {
    size_t count = 1000000;
    if (argc > 2) {
        fprintf(stderr, "usage: %s [COUNT]\n", argv[0]);
        return 2;
    }
    if (argc == 2 && !parse_count(argv[1], &count))
        return 2;
    reading_log *log = reading_log_new(count);
    if (log == NULL) {
        fprintf(stderr, "readings: no memory for a log of %zu readings\n", count);
        return 1;
    }
    if (!fill(log, count)) {
        fprintf(stderr, "readings: the log took fewer than %zu readings\n", count);
        reading_log_free(log);
        return 1;
    }
    size_t valid = 0, temperatures = 0;
    double sum = 0;
    for (size_t i = 0; i < reading_log_count(log); i++) {
        if (!reading_log_valid(log, i))
            continue;
        valid++;
        if (reading_log_unit(log, i) == 'C') {
            temperatures++;
            sum += reading_log_value(log, i);
        }
    }
    printf("%zu readings, %zu valid; mean valid temperature %.2f C\n", reading_log_count(log),
           valid, temperatures > 0 ? sum / (double)temperatures : 0.0);
    reading_log_free(log);
    return 0;
}
