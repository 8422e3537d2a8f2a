/* Exercise 07, a wrong fix: each field in an array of its own, the arrays
 * one after another in one block: 16 bytes a reading, no padding.  But the
 * block's size leaves out the last array, the bools. */
#include "readings.h"

#include <stdlib.h>

/* The readings as five arrays in one block, the widest first, so that each
 * array starts aligned. */
struct reading_log {
    size_t count;
    size_t capacity;
    double *values;
    int *times;
    short *stations;
    char *units;
    bool *valid;
};

/* Each reading's fields, one after another: the mistake, no bool. */
enum { READING_BYTES = sizeof(double) + sizeof(int) + sizeof(short) + sizeof(char) };

reading_log *reading_log_new(size_t capacity) {
    reading_log *log = malloc(sizeof *log);
    if (log == NULL)
        return NULL;
    /* calloc, not malloc: it checks capacity × size for overflow. */
    log->values = calloc(capacity, READING_BYTES);
    if (log->values == NULL) {
        free(log);
        return NULL;
    }
    log->times = (int *)(log->values + capacity);
    log->stations = (short *)(log->times + capacity);
    log->units = (char *)(log->stations + capacity);
    log->valid = (bool *)(log->units + capacity);
    log->count = 0;
    log->capacity = capacity;
    return log;
}

void reading_log_free(reading_log *log) {
    if (log == NULL)
        return;
    free(log->values);
    free(log);
}

bool reading_log_add(reading_log *log, short station, int time, double value, char unit,
                     bool valid) {
    if (log->count == log->capacity)
        return false;
    log->values[log->count] = value;
    log->times[log->count] = time;
    log->stations[log->count] = station;
    log->units[log->count] = unit;
    log->valid[log->count] = valid;
    log->count++;
    return true;
}

size_t reading_log_count(const reading_log *log) { return log->count; }

short reading_log_station(const reading_log *log, size_t i) { return log->stations[i]; }
int reading_log_time(const reading_log *log, size_t i) { return log->times[i]; }
double reading_log_value(const reading_log *log, size_t i) { return log->values[i]; }
char reading_log_unit(const reading_log *log, size_t i) { return log->units[i]; }
bool reading_log_valid(const reading_log *log, size_t i) { return log->valid[i]; }
