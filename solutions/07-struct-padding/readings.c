/* Exercise 07: Struct layout and padding, a solution.
 *
 * The fields of a reading are stored from the most strictly aligned to the
 * least, so that each one starts where the one before it ends: 16 bytes of
 * data in a 16-byte struct, where the starter's order, station first, took
 * 24 bytes for the same 16.  The functions are unchanged. */
#include "readings.h"

#include <stdlib.h>

/* One reading as the log stores it.  The widest field first: every field
 * then falls on a multiple of its alignment with no gap, and the size, 16,
 * is already a multiple of the struct's alignment (double's 8), so no
 * padding follows either. */
typedef struct reading {
    double value;  /* offset 0 */
    int time;      /* offset 8 */
    short station; /* offset 12 */
    char unit;     /* offset 14 */
    bool valid;    /* offset 15 */
} reading;

/* The memory test relies on it; on 64-bit Linux it holds.  If a field is
 * ever added, the compiler says so here rather than the test later. */
_Static_assert(sizeof(reading) == 16, "a reading no longer fits in 16 bytes");

struct reading_log {
    size_t count;
    size_t capacity;
    reading *readings;
};

reading_log *reading_log_new(size_t capacity) {
    reading_log *log = malloc(sizeof *log);
    if (log == NULL)
        return NULL;
    /* calloc, not malloc: it checks capacity × size for overflow. */
    log->readings = calloc(capacity, sizeof *log->readings);
    if (log->readings == NULL) {
        free(log);
        return NULL;
    }
    log->count = 0;
    log->capacity = capacity;
    return log;
}

void reading_log_free(reading_log *log) {
    if (log == NULL)
        return;
    free(log->readings);
    free(log);
}

bool reading_log_add(reading_log *log, short station, int time, double value, char unit,
                     bool valid) {
    if (log->count == log->capacity)
        return false;
    log->readings[log->count++] =
        (reading){.station = station, .time = time, .value = value, .unit = unit, .valid = valid};
    return true;
}

size_t reading_log_count(const reading_log *log) { return log->count; }

short reading_log_station(const reading_log *log, size_t i) { return log->readings[i].station; }
int reading_log_time(const reading_log *log, size_t i) { return log->readings[i].time; }
double reading_log_value(const reading_log *log, size_t i) { return log->readings[i].value; }
char reading_log_unit(const reading_log *log, size_t i) { return log->readings[i].unit; }
bool reading_log_valid(const reading_log *log, size_t i) { return log->readings[i].valid; }
