/* Exercise 07, a wrong fix: the fields are ordered as in the solution, and
 * the value is narrowed to a float: 12 bytes a reading, but a float cannot
 * hold every double. */
#include "readings.h"

#include <stdlib.h>

/* One reading as the log stores it.  The widest field first: every field
 * then falls on a multiple of its alignment with no gap, and the size, 16,
 * is already a multiple of the struct's alignment (double's 8), so no
 * padding follows either. */
typedef struct reading {
    float value; /* the mistake: a narrower type than the contract's */
    int time;
    short station;
    char unit;
    bool valid;
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
    log->readings[log->count++] = (reading){
        .station = station, .time = time, .value = (float)value, .unit = unit, .valid = valid};
    return true;
}

size_t reading_log_count(const reading_log *log) { return log->count; }

short reading_log_station(const reading_log *log, size_t i) { return log->readings[i].station; }
int reading_log_time(const reading_log *log, size_t i) { return log->readings[i].time; }
double reading_log_value(const reading_log *log, size_t i) { return log->readings[i].value; }
char reading_log_unit(const reading_log *log, size_t i) { return log->readings[i].unit; }
bool reading_log_valid(const reading_log *log, size_t i) { return log->readings[i].valid; }
