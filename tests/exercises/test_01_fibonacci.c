/* Exercise 01: Fibonacci.  Correctness first, then memory. */
#define HB_SUITE_NAME "01-fibonacci"
#include "heapbook.h"

#include "fibonacci.h"

HB_TEST(test_all_empty) { CU_ASSERT_EQUAL(fibonacci_hash(0, 0, 0), 0); }

HB_TEST(test_one_short_sequence) {
    CU_ASSERT_EQUAL(fibonacci_hash(0, 0, 1), 1);
    CU_ASSERT_EQUAL(fibonacci_hash(0, 0, 2), 2);
    CU_ASSERT_EQUAL(fibonacci_hash(0, 0, 6), 20); /* 1 + 1 + 2 + 3 + 5 + 8 */
}

HB_TEST(test_three_equal_sequences) {
    CU_ASSERT_EQUAL(fibonacci_hash(1, 1, 1), 3);
    CU_ASSERT_EQUAL(fibonacci_hash(2, 2, 2), 6);
    CU_ASSERT_EQUAL(fibonacci_hash(6, 6, 6), 60);
}

HB_TEST(test_sum_wraps_at_10000) {
    /* The first 19 numbers add up to 10945. */
    CU_ASSERT_EQUAL(fibonacci_hash(0, 0, 19), 945);
    CU_ASSERT_EQUAL(fibonacci_hash(19, 0, 0), 945);
}

/* The lengths of Memray's tutorial.  Storing a whole sequence of one of them
 * takes hundreds of KiB; walking it two numbers at a time takes nothing. */
HB_MEMORY_TEST(test_fibonacci_memory, .peak = "100 KiB", .leaks = "0 B") {
    CU_ASSERT_EQUAL(fibonacci_hash(33333, 30000, 34567), 4657);
}
