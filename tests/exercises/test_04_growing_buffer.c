/* Exercise 04: Growing a buffer.  Correctness first, then memory. */
#define HB_SUITE_NAME "04-growing-buffer"
#include "heapbook.h"

#include "primes.h"

#include <stdlib.h>
#include <string.h>

HB_TEST(test_no_primes_below_2) {
    uint32_t *primes = NULL;
    size_t count = 99;
    CU_ASSERT_TRUE(primes_below(0, &primes, &count));
    CU_ASSERT_EQUAL(count, 0);
    free(primes);
    count = 99;
    CU_ASSERT_TRUE(primes_below(2, &primes, &count));
    CU_ASSERT_EQUAL(count, 0);
    free(primes);
}

HB_TEST(test_primes_below_30) {
    uint32_t *primes;
    size_t count;
    CU_ASSERT_TRUE_FATAL(primes_below(30, &primes, &count));
    const uint32_t expected[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};
    CU_ASSERT_EQUAL_FATAL(count, 10);
    CU_ASSERT_EQUAL(memcmp(primes, expected, sizeof expected), 0);
    free(primes);
}

HB_TEST(test_limit_itself_is_excluded) {
    uint32_t *primes;
    size_t count;
    CU_ASSERT_TRUE_FATAL(primes_below(29, &primes, &count));
    CU_ASSERT_EQUAL(count, 9); /* 29 is prime, but not below 29 */
    free(primes);
}

/* Adds up the primes, to compare with sums worked out elsewhere. */
static uint64_t sum_of(const uint32_t *primes, size_t count) {
    uint64_t sum = 0;
    for (size_t i = 0; i < count; i++)
        sum += primes[i];
    return sum;
}

HB_TEST(test_primes_below_100000) {
    uint32_t *primes;
    size_t count;
    CU_ASSERT_TRUE_FATAL(primes_below(100000, &primes, &count));
    CU_ASSERT_EQUAL_FATAL(count, 9592);
    CU_ASSERT_EQUAL(primes[count - 1], 99991);
    CU_ASSERT_EQUAL(sum_of(primes, count), 454396537);
    free(primes);
}

/* Finds the primes below 100 (25 of them).  When one of its allocations was
 * made to fail, it must say so, having freed everything it made. */
static void small_search(void) {
    uint32_t *primes = NULL;
    size_t count = 0;
    bool found = primes_below(100, &primes, &count);
    if (hb_fault_failures() > 0) {
        CU_ASSERT_FALSE(found);
    } else {
        CU_ASSERT_TRUE(found);
        CU_ASSERT_EQUAL(count, 25);
    }
    if (found)
        free(primes);
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(small_search); }

/* 17,984 primes.  The array may grow however it likes, up to a generous
 * peak; what is limited is how many times it asks the allocator. */
HB_MEMORY_TEST(test_primes_memory, .peak = "256 KiB", .leaks = "0 B", .allocations = "100") {
    uint32_t *primes;
    size_t count;
    CU_ASSERT_TRUE_FATAL(primes_below(200000, &primes, &count));
    CU_ASSERT_EQUAL_FATAL(count, 17984);
    CU_ASSERT_EQUAL(primes[9999], 104729); /* the 10,000th prime */
    CU_ASSERT_EQUAL(primes[count - 1], 199999);
    CU_ASSERT_EQUAL(sum_of(primes, count), 1709600813);
    free(primes);
}
