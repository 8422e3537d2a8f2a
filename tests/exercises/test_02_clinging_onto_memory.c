/* Exercise 02: Clinging onto memory.  Correctness first, then memory. */
#define HB_SUITE_NAME "02-clinging-onto-memory"
#include "heapbook.h"

#include "pipeline.h"

#include <stdlib.h>

/* 16 MiB of doubles: Memray's tutorial pushes 100 MiB through its pipeline;
 * a sixth of that shows the same thing and keeps the suite fast. */
enum { SAMPLES_IN_16_MIB = 16 * 1024 * 1024 / sizeof(double) };

/* Element i as the contract states it, worked out here without the steps. */
static double expected_element(size_t i) {
    double offset = (double)(i % 100) - 3;
    return 2 * offset * offset + 10;
}

/* Where the result first differs from the contract; `count` if nowhere. */
static size_t first_wrong_element(const double *result, size_t count) {
    for (size_t i = 0; i < count; i++)
        if (result[i] != expected_element(i))
            return i;
    return count;
}

HB_TEST(test_first_elements) {
    double *result = process_data(6);
    HB_ASSERT_NOT_NULL_FATAL(result);
    /* (0 - 3)^2 * 2 + 10 = 28, then 18, 12, 10 (at the wave's offset) and up
     * again.  Every element is a whole number, so it is shown as one; the
     * test below compares the doubles exactly. */
    HB_ASSERT_EQ((long long)result[0], 28);
    HB_ASSERT_EQ((long long)result[1], 18);
    HB_ASSERT_EQ((long long)result[2], 12);
    HB_ASSERT_EQ((long long)result[3], 10);
    HB_ASSERT_EQ((long long)result[4], 12);
    HB_ASSERT_EQ((long long)result[5], 18);
    free(result);
}

HB_TEST(test_every_element_over_ten_periods) {
    size_t count = 1000;
    double *result = process_data(count);
    HB_ASSERT_NOT_NULL_FATAL(result);
    HB_ASSERT_EQ(first_wrong_element(result, count), count);
    HB_ASSERT_EQ((long long)result[99], 18442); /* the top of the wave: 2 * 96^2 + 10 */
    HB_ASSERT_EQ((long long)result[100], 28);   /* and the wave starts again */
    free(result);
}

/* Runs the pipeline on a few samples.  When one of its allocations was made
 * to fail, it must return NULL, having freed everything it made. */
static void small_pipeline(void) {
    double *result = process_data(10);
    if (hb_fault_failures() > 0) {
        HB_ASSERT_NULL(result);
    } else {
        HB_ASSERT_NOT_NULL(result);
    }
    free(result);
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(small_pipeline); }

/* Each 16 MiB array is one buffer.  36 MiB holds two: a step's input and
 * its output, if every other array is freed as soon as the next step has
 * run.  Three, freeing each a step late, do not fit. */
HB_MEMORY_TEST(test_pipeline_memory, .peak = "36 MiB", .leaks = "0 B") {
    double *result = process_data(SAMPLES_IN_16_MIB);
    HB_ASSERT_NOT_NULL_FATAL(result);
    double sum = 0;
    for (size_t i = 0; i < SAMPLES_IN_16_MIB; i++)
        sum += result[i];
    /* Exact: every element is a small whole number, checked first. */
    HB_ASSERT_EQ(first_wrong_element(result, SAMPLES_IN_16_MIB), SAMPLES_IN_16_MIB);
    HB_ASSERT_EQ((long long)sum, 12584773696);
    free(result);
}

/* Another count on every run, between 1.7 and 2.3 million samples: two
 * arrays always fit in 36 MiB (at most 35.1 MiB), three never do (at least
 * 38.9 MiB). */
enum { FEWEST_RANDOM = 1700000, MOST_RANDOM = 2300000 };

HB_MEMORY_TEST(test_random_count_memory, .peak = "36 MiB", .leaks = "0 B") {
    size_t count = hb_random_named("samples", FEWEST_RANDOM, MOST_RANDOM);
    double *result = process_data(count);
    HB_ASSERT_NOT_NULL_FATAL(result);
    HB_ASSERT_EQ(first_wrong_element(result, count), count);
    free(result);
}
