/* Exercise 07: Struct layout and padding.  Correctness first (every field
 * reads back exactly as added, whatever the layout), then memory. */
#define HB_SUITE_NAME "07-struct-padding"
#include "heapbook.h"

#include "readings.h"

#include <float.h>
#include <limits.h>
#include <math.h>

/* The lesson's table, checked by the compiler.  Its arithmetic assumes the
 * x86-64 System V ABI (64-bit Linux; arm64 Linux lays these structs out the
 * same): short 2 bytes, int 4, double 8 and aligned to 8 inside a struct,
 * char and bool 1.  On an ABI where these fail, the memory test's figures
 * differ from the lesson's too. */
struct lesson_starter_layout {
    short station;
    int time;
    double value;
    char unit;
    bool valid;
};
_Static_assert(sizeof(struct lesson_starter_layout) == 24 &&
                   _Alignof(struct lesson_starter_layout) == 8 &&
                   offsetof(struct lesson_starter_layout, time) == 4 &&
                   offsetof(struct lesson_starter_layout, value) == 8 &&
                   offsetof(struct lesson_starter_layout, unit) == 16 &&
                   offsetof(struct lesson_starter_layout, valid) == 17,
               "the starter's layout is not the lesson's: not the x86-64 System V ABI?");

struct lesson_solution_layout {
    double value;
    int time;
    short station;
    char unit;
    bool valid;
};
_Static_assert(sizeof(struct lesson_solution_layout) == 16 &&
                   offsetof(struct lesson_solution_layout, time) == 8 &&
                   offsetof(struct lesson_solution_layout, station) == 12 &&
                   offsetof(struct lesson_solution_layout, unit) == 14 &&
                   offsetof(struct lesson_solution_layout, valid) == 15,
               "the solution's layout is not the lesson's: not the x86-64 System V ABI?");

HB_TEST(test_empty_log) {
    reading_log *log = reading_log_new(0);
    HB_ASSERT_NOT_NULL_FATAL(log);
    HB_ASSERT_EQ(reading_log_count(log), 0);
    HB_ASSERT(!reading_log_add(log, 1, 0, 20.5, 'C', true));
    HB_ASSERT_EQ(reading_log_count(log), 0);
    reading_log_free(log);
    reading_log_free(NULL);
}

/* The extremes of every type: a layout that narrows a field loses them.
 * Doubles are compared exactly, with HB_ASSERT: HB_ASSERT_EQ compares
 * integers. */
HB_TEST(test_every_field_reads_back_exactly) {
    reading_log *log = reading_log_new(3);
    HB_ASSERT_NOT_NULL_FATAL(log);
    HB_ASSERT(reading_log_add(log, SHRT_MIN, INT_MIN, -DBL_MAX, CHAR_MIN, false));
    HB_ASSERT(reading_log_add(log, SHRT_MAX, INT_MAX, DBL_MIN / 4, CHAR_MAX, true));
    HB_ASSERT(reading_log_add(log, 0, 0, -0.0, '%', true));
    HB_ASSERT_EQ_FATAL(reading_log_count(log), 3);

    HB_ASSERT_EQ(reading_log_station(log, 0), SHRT_MIN);
    HB_ASSERT_EQ(reading_log_time(log, 0), INT_MIN);
    HB_ASSERT(reading_log_value(log, 0) == -DBL_MAX);
    HB_ASSERT_EQ(reading_log_unit(log, 0), CHAR_MIN);
    HB_ASSERT_EQ(reading_log_valid(log, 0), false);

    HB_ASSERT_EQ(reading_log_station(log, 1), SHRT_MAX);
    HB_ASSERT_EQ(reading_log_time(log, 1), INT_MAX);
    HB_ASSERT(reading_log_value(log, 1) == DBL_MIN / 4); /* subnormal */
    HB_ASSERT_EQ(reading_log_unit(log, 1), CHAR_MAX);
    HB_ASSERT_EQ(reading_log_valid(log, 1), true);

    HB_ASSERT_EQ(reading_log_station(log, 2), 0);
    HB_ASSERT_EQ(reading_log_time(log, 2), 0);
    HB_ASSERT(signbit(reading_log_value(log, 2))); /* -0.0, not 0.0 */
    HB_ASSERT_EQ(reading_log_unit(log, 2), '%');
    HB_ASSERT_EQ(reading_log_valid(log, 2), true);
    reading_log_free(log);
}

HB_TEST(test_full_log_keeps_what_it_has) {
    reading_log *log = reading_log_new(2);
    HB_ASSERT_NOT_NULL_FATAL(log);
    HB_ASSERT(reading_log_add(log, 7, 60, 1013.25, 'P', true));
    HB_ASSERT(reading_log_add(log, 8, 120, 55.5, '%', false));
    HB_ASSERT(!reading_log_add(log, 9, 180, -3.75, 'C', true));
    HB_ASSERT_EQ_FATAL(reading_log_count(log), 2);
    HB_ASSERT_EQ(reading_log_station(log, 1), 8);
    HB_ASSERT_EQ(reading_log_time(log, 1), 120);
    HB_ASSERT(reading_log_value(log, 1) == 55.5);
    HB_ASSERT_EQ(reading_log_unit(log, 1), '%');
    HB_ASSERT_EQ(reading_log_valid(log, 1), false);
    reading_log_free(log);
}

/* Readings from a few hundred stations, a minute apart.  Every field is a
 * function of the reading's number and of a `salt` (0 for the lesson's
 * test, drawn for the random one), so each can be checked without keeping
 * a copy. */
enum { MILLION = 1000000, STATIONS = 500 };

static short station_of(size_t i, unsigned salt) { return (short)((i + salt) % STATIONS); }
static int time_of(size_t i, unsigned salt) { return (int)(i / STATIONS * 60 + salt); }
/* Whole eighths, exact in a double; with a salt, plus a third, which a
 * float cannot hold as a double does. */
static double value_of(size_t i, unsigned salt) {
    if (salt == 0)
        return (double)(i % 8000) / 8 - 100;
    return (double)((i * salt) % 8000) / 8 - 100 + 1.0 / 3;
}
static char unit_of(size_t i, unsigned salt) { return "CP%"[(i + salt) % 3]; }
static bool valid_of(size_t i, unsigned salt) { return (i + salt) % 17 != 0; }

/* Fills a new log with `count` readings, reads every field back, frees it. */
static void log_readings(size_t count, unsigned salt) {
    reading_log *log = reading_log_new(count);
    HB_ASSERT_NOT_NULL_FATAL(log);
    size_t added = 0;
    for (size_t i = 0; i < count; i++)
        added += reading_log_add(log, station_of(i, salt), time_of(i, salt), value_of(i, salt),
                                 unit_of(i, salt), valid_of(i, salt));
    HB_ASSERT_EQ(added, count);
    HB_ASSERT_EQ(reading_log_count(log), count);
    size_t wrong = 0; /* readings whose fields do not read back as they were added */
    for (size_t i = 0; i < reading_log_count(log); i++)
        wrong += reading_log_station(log, i) != station_of(i, salt) ||
                 reading_log_time(log, i) != time_of(i, salt) ||
                 reading_log_value(log, i) != value_of(i, salt) ||
                 reading_log_unit(log, i) != unit_of(i, salt) ||
                 reading_log_valid(log, i) != valid_of(i, salt);
    HB_ASSERT_EQ(wrong, 0);
    reading_log_free(log);
}

/* 20 MB is 20 bytes a reading: the 16 bytes of data in one fit, the same
 * fields with the padding the starter's order puts between them do not. */
HB_MEMORY_TEST(test_million_readings_memory, .peak = "20 MB", .leaks = "0 B") {
    log_readings(MILLION, 0);
}

/* Another number of readings on every run, from 850,000 to 1,200,000:
 * 16 bytes each always fit in 20 MB (at most 19.2 MB), 24 never do (at
 * least 20.4 MB). */
HB_MEMORY_TEST(test_random_readings_memory, .peak = "20 MB", .leaks = "0 B") {
    size_t count = hb_random_named("readings", 850000, 1200000);
    log_readings(count, (unsigned)hb_random_named("seed", 1, 1000000));
}

/* ---- Out of memory ------------------------------------------------------ */

/* reading_log_new(), the one function that allocates, with each of its
 * allocations made to fail in turn: NULL, and nothing leaks; or a log with
 * room for every reading. */
static void log_while_memory_runs_out(void) {
    reading_log *log = reading_log_new(4);
    if (log == NULL)
        return;
    for (int i = 0; i < 4; i++)
        HB_ASSERT(reading_log_add(log, (short)i, i, i / 2.0, 'C', true));
    HB_ASSERT_EQ(reading_log_count(log), 4);
    reading_log_free(log);
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(log_while_memory_runs_out); }
