/* Exercise 01: Fibonacci.  Correctness first, then memory. */
#define HB_SUITE_NAME "01-fibonacci"
#include "heapbook.h"

#include "fibonacci.h"

HB_TEST(test_all_empty) { HB_ASSERT_EQ(fibonacci_hash(0, 0, 0), 0); }

HB_TEST(test_one_short_sequence) {
    HB_ASSERT_EQ(fibonacci_hash(0, 0, 1), 1);
    HB_ASSERT_EQ(fibonacci_hash(0, 0, 2), 2);
    HB_ASSERT_EQ(fibonacci_hash(0, 0, 6), 20); /* 1 + 1 + 2 + 3 + 5 + 8 */
}

HB_TEST(test_three_equal_sequences) {
    HB_ASSERT_EQ(fibonacci_hash(1, 1, 1), 3);
    HB_ASSERT_EQ(fibonacci_hash(2, 2, 2), 6);
    HB_ASSERT_EQ(fibonacci_hash(6, 6, 6), 60);
}

HB_TEST(test_sum_wraps_at_10000) {
    /* The first 19 numbers add up to 10945. */
    HB_ASSERT_EQ(fibonacci_hash(0, 0, 19), 945);
    HB_ASSERT_EQ(fibonacci_hash(19, 0, 0), 945);
}

/* The lengths of Memray's tutorial.  An array of a whole sequence does not
 * fit in 16 KiB, even at 2 bytes a number (67.5 KiB); an iterator needs none. */
HB_MEMORY_TEST(test_fibonacci_memory, .peak = "16 KiB", .leaks = "0 B") {
    HB_ASSERT_EQ(fibonacci_hash(33333, 30000, 34567), 4657);
}

/* The sum of the first `length` numbers modulo 10000, worked out here
 * without the heap, to check lengths drawn at random. */
static unsigned reference_sum(size_t length) {
    unsigned previous = 1, current = 0, sum = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned next = (previous + current) % 10000;
        previous = current;
        current = next;
        sum = (sum + next) % 10000;
    }
    return sum;
}

/* Other lengths on every run, so an answer known in advance cannot pass.
 * The shortest, 20,000 numbers, would take 39.1 KiB at 2 bytes a number. */
enum { SHORTEST_RANDOM = 20000, LONGEST_RANDOM = 50000 };

HB_MEMORY_TEST(test_random_lengths_memory, .peak = "16 KiB", .leaks = "0 B") {
    size_t len1 = hb_random_named("len1", SHORTEST_RANDOM, LONGEST_RANDOM);
    size_t len2 = hb_random_named("len2", SHORTEST_RANDOM, LONGEST_RANDOM);
    size_t len3 = hb_random_named("len3", SHORTEST_RANDOM, LONGEST_RANDOM);
    unsigned expected = (reference_sum(len1) + reference_sum(len2) + reference_sum(len3)) % 10000;
    HB_ASSERT_EQ(fibonacci_hash(len1, len2, len3), expected);
}
