/* Exercise 07: Struct layout and padding.  The contract the tests check; do
 * not change it. */
#ifndef READINGS_H
#define READINGS_H

#include <stdbool.h>
#include <stddef.h>

/* A log of weather readings, of a size fixed when it is made.  How one
 * reading is laid out in memory is private to readings.c: callers see only
 * these functions. */
typedef struct reading_log reading_log;

/* A new, empty log with room for `capacity` readings; free it with
 * reading_log_free().  NULL if memory runs out. */
reading_log *reading_log_new(size_t capacity);

/* Frees the log and every reading in it; freeing NULL does nothing. */
void reading_log_free(reading_log *log);

/* Appends one reading:
 *   station  the number of the weather station that sent it
 *   time     seconds since the log was started
 *   value    what was measured, in `unit`
 *   unit     'C' (degrees Celsius), 'P' (hectopascals) or '%' (humidity)
 *   valid    false if the station flagged the reading as doubtful
 * Returns false, and stores nothing, if the log is full. */
bool reading_log_add(reading_log *log, short station, int time, double value, char unit,
                     bool valid);

/* How many readings have been added. */
size_t reading_log_count(const reading_log *log);

/* The fields of reading `i` (0 <= i < count), exactly as they were added. */
short reading_log_station(const reading_log *log, size_t i);
int reading_log_time(const reading_log *log, size_t i);
double reading_log_value(const reading_log *log, size_t i);
char reading_log_unit(const reading_log *log, size_t i);
bool reading_log_valid(const reading_log *log, size_t i);

#endif
