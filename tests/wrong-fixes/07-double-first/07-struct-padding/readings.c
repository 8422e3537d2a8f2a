/* Exercise 07, a wrong fix: the widest field, the double, is moved to the
 * front, but the others keep their order, so an int still follows a short
 * and the struct is still 24 bytes. */
#include "readings.h"

#include <stdlib.h>

/* One reading as the log stores it: where, when, what, in which unit, and
 * whether to trust it. */
typedef struct reading {
    double value;  /* offset 0 */
    short station; /* offset 8 */
    int time;      /* offset 12: the mistake, 2 bytes of padding before it */
    char unit;     /* offset 16 */
    bool valid;    /* offset 17, then 6 bytes of padding */
} reading;

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
