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

HB_TEST(test_first_elements) {
    double *result = process_data(6);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result);
    /* (0 - 3)^2 * 2 + 10 = 28, then 18, 12, 10 (at the wave's offset) and up again. */
    CU_ASSERT_EQUAL(result[0], 28);
    CU_ASSERT_EQUAL(result[1], 18);
    CU_ASSERT_EQUAL(result[2], 12);
    CU_ASSERT_EQUAL(result[3], 10);
    CU_ASSERT_EQUAL(result[4], 12);
    CU_ASSERT_EQUAL(result[5], 18);
    free(result);
}

HB_TEST(test_every_element_over_ten_periods) {
    size_t count = 1000, wrong = 0;
    double *result = process_data(count);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result);
    for (size_t i = 0; i < count; i++)
        wrong += result[i] != expected_element(i);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(result[99], 18442); /* the top of the wave: 2 * 96^2 + 10 */
    CU_ASSERT_EQUAL(result[100], 28);   /* and the wave starts again */
    free(result);
}

/* Runs the pipeline on a few samples.  When one of its allocations was made
 * to fail, it must return NULL, having freed everything it made. */
static void small_pipeline(void) {
    double *result = process_data(10);
    if (hb_fault_failures() > 0) {
        CU_ASSERT_PTR_NULL(result);
    } else {
        CU_ASSERT_PTR_NOT_NULL(result);
    }
    free(result);
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(small_pipeline); }

/* Each 16 MiB array is one buffer.  Holding the result and the array it is
 * made from, two buffers, fits; holding every step's array does not. */
HB_MEMORY_TEST(test_pipeline_memory, .peak = "36 MiB", .leaks = "0 B") {
    double *result = process_data(SAMPLES_IN_16_MIB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result);
    double sum = 0;
    for (size_t i = 0; i < SAMPLES_IN_16_MIB; i++)
        sum += result[i];
    CU_ASSERT_EQUAL(sum, 12584773696.0); /* exact: every element is a small whole number */
    CU_ASSERT_EQUAL(result[SAMPLES_IN_16_MIB - 1], expected_element(SAMPLES_IN_16_MIB - 1));
    free(result);
}
