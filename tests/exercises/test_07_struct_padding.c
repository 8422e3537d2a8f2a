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
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(reading_log_count(log), 0);
    CU_ASSERT_FALSE(reading_log_add(log, 1, 0, 20.5, 'C', true));
    CU_ASSERT_EQUAL(reading_log_count(log), 0);
    reading_log_free(log);
    reading_log_free(NULL);
}

/* The extremes of every type: a layout that narrows a field loses them. */
HB_TEST(test_every_field_reads_back_exactly) {
    reading_log *log = reading_log_new(3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_TRUE(reading_log_add(log, SHRT_MIN, INT_MIN, -DBL_MAX, CHAR_MIN, false));
    CU_ASSERT_TRUE(reading_log_add(log, SHRT_MAX, INT_MAX, DBL_MIN / 4, CHAR_MAX, true));
    CU_ASSERT_TRUE(reading_log_add(log, 0, 0, -0.0, '%', true));
    CU_ASSERT_EQUAL_FATAL(reading_log_count(log), 3);

    CU_ASSERT_EQUAL(reading_log_station(log, 0), SHRT_MIN);
    CU_ASSERT_EQUAL(reading_log_time(log, 0), INT_MIN);
    CU_ASSERT_EQUAL(reading_log_value(log, 0), -DBL_MAX);
    CU_ASSERT_EQUAL(reading_log_unit(log, 0), CHAR_MIN);
    CU_ASSERT_FALSE(reading_log_valid(log, 0));

    CU_ASSERT_EQUAL(reading_log_station(log, 1), SHRT_MAX);
    CU_ASSERT_EQUAL(reading_log_time(log, 1), INT_MAX);
    CU_ASSERT_EQUAL(reading_log_value(log, 1), DBL_MIN / 4); /* subnormal */
    CU_ASSERT_EQUAL(reading_log_unit(log, 1), CHAR_MAX);
    CU_ASSERT_TRUE(reading_log_valid(log, 1));

    CU_ASSERT_EQUAL(reading_log_station(log, 2), 0);
    CU_ASSERT_EQUAL(reading_log_time(log, 2), 0);
    CU_ASSERT_TRUE(signbit(reading_log_value(log, 2))); /* -0.0, not 0.0 */
    CU_ASSERT_EQUAL(reading_log_unit(log, 2), '%');
    CU_ASSERT_TRUE(reading_log_valid(log, 2));
    reading_log_free(log);
}

HB_TEST(test_full_log_keeps_what_it_has) {
    reading_log *log = reading_log_new(2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_TRUE(reading_log_add(log, 7, 60, 1013.25, 'P', true));
    CU_ASSERT_TRUE(reading_log_add(log, 8, 120, 55.5, '%', false));
    CU_ASSERT_FALSE(reading_log_add(log, 9, 180, -3.75, 'C', true));
    CU_ASSERT_EQUAL_FATAL(reading_log_count(log), 2);
    CU_ASSERT_EQUAL(reading_log_station(log, 1), 8);
    CU_ASSERT_EQUAL(reading_log_time(log, 1), 120);
    CU_ASSERT_EQUAL(reading_log_value(log, 1), 55.5);
    CU_ASSERT_EQUAL(reading_log_unit(log, 1), '%');
    CU_ASSERT_FALSE(reading_log_valid(log, 1));
    reading_log_free(log);
}

/* A million readings from a few hundred stations, a minute apart.  Every
 * field is a function of the reading's number, so each can be checked. */
enum { MILLION = 1000000, STATIONS = 500 };

static short station_of(size_t i) { return (short)(i % STATIONS); }
static int time_of(size_t i) { return (int)(i / STATIONS * 60); }
/* Whole eighths, so every value is exact in a double. */
static double value_of(size_t i) { return (double)(i % 8000) / 8 - 100; }
static char unit_of(size_t i) { return "CP%"[i % 3]; }
static bool valid_of(size_t i) { return i % 17 != 0; }

/* Readings whose fields do not read back as they were added. */
static size_t count_wrong(const reading_log *log) {
    size_t wrong = 0;
    for (size_t i = 0; i < reading_log_count(log); i++)
        if (reading_log_station(log, i) != station_of(i) ||
            reading_log_time(log, i) != time_of(i) || reading_log_value(log, i) != value_of(i) ||
            reading_log_unit(log, i) != unit_of(i) || reading_log_valid(log, i) != valid_of(i))
            wrong++;
    return wrong;
}

/* 20 MB is 20 bytes a reading: the 16 bytes of data in one fit, the same
 * fields with the padding the starter's order puts between them do not. */
HB_MEMORY_TEST(test_million_readings_memory, .peak = "20 MB", .leaks = "0 B") {
    reading_log *log = reading_log_new(MILLION);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    size_t added = 0;
    for (size_t i = 0; i < MILLION; i++)
        added +=
            reading_log_add(log, station_of(i), time_of(i), value_of(i), unit_of(i), valid_of(i));
    CU_ASSERT_EQUAL(added, MILLION);
    CU_ASSERT_EQUAL(reading_log_count(log), MILLION);
    CU_ASSERT_EQUAL(count_wrong(log), 0);
    reading_log_free(log);
}
