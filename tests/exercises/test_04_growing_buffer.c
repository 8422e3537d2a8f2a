/* Exercise 04: Growing a buffer.  Correctness first, then memory. */
#define HB_SUITE_NAME "04-growing-buffer"
#include "heapbook.h"

#include "primes.h"

#include <stdlib.h>

HB_TEST(test_no_primes_below_2) {
    uint32_t *primes = NULL;
    size_t count = 99;
    HB_ASSERT(primes_below(0, &primes, &count));
    HB_ASSERT_EQ(count, 0);
    free(primes);
    count = 99;
    HB_ASSERT(primes_below(2, &primes, &count));
    HB_ASSERT_EQ(count, 0);
    free(primes);
}

/* Whether n is prime, by trial division: the tests' own answer. */
static bool is_prime(uint32_t n) {
    if (n < 2)
        return false;
    for (uint32_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return false;
    return true;
}

/* Checks that `primes` holds exactly the primes below `limit`, in order:
 * says the first one that is wrong, or how many are missing or extra. */
static void assert_primes_below(uint32_t limit, const uint32_t *primes, size_t count) {
    size_t i = 0;
    for (uint32_t n = 2; n < limit; n++) {
        if (!is_prime(n))
            continue;
        if (i >= count || primes[i] != n) {
            HB_ASSERT_EQ(i < count ? primes[i] : 0, n);
            return;
        }
        i++;
    }
    HB_ASSERT_EQ(count, i);
}

HB_TEST(test_primes_below_30) {
    uint32_t *primes;
    size_t count;
    HB_ASSERT_EQ_FATAL(primes_below(30, &primes, &count), true);
    HB_ASSERT_EQ(count, 10); /* 2 3 5 7 11 13 17 19 23 29 */
    assert_primes_below(30, primes, count);
    free(primes);
}

HB_TEST(test_limit_itself_is_excluded) {
    uint32_t *primes;
    size_t count;
    HB_ASSERT_EQ_FATAL(primes_below(29, &primes, &count), true);
    HB_ASSERT_EQ(count, 9); /* 29 is prime, but not below 29 */
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
    HB_ASSERT_EQ_FATAL(primes_below(100000, &primes, &count), true);
    HB_ASSERT_EQ_FATAL(count, 9592);
    HB_ASSERT_EQ(primes[count - 1], 99991);
    HB_ASSERT_EQ(sum_of(primes, count), 454396537);
    free(primes);
}

/* Finds the primes below 100 (25 of them).  When one of its allocations was
 * made to fail, it must say so, having freed everything it made. */
static void small_search(void) {
    uint32_t *primes = NULL;
    size_t count = 0;
    bool found = primes_below(100, &primes, &count);
    if (hb_fault_failures() > 0) {
        HB_ASSERT_EQ(found, false);
    } else {
        HB_ASSERT_EQ(found, true);
        HB_ASSERT_EQ(count, 25);
    }
    if (found)
        free(primes);
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(small_search); }

/* 17,984 primes.  What is limited is how many times the array asks the
 * allocator; the peak limit is generous, twice what doubling holds. */
HB_MEMORY_TEST(test_primes_memory, .peak = "256 KiB", .leaks = "0 B", .allocations = "100") {
    uint32_t *primes;
    size_t count;
    HB_ASSERT_EQ_FATAL(primes_below(200000, &primes, &count), true);
    HB_ASSERT_EQ_FATAL(count, 17984);
    HB_ASSERT_EQ(primes[9999], 104729); /* the 10,000th prime */
    HB_ASSERT_EQ(primes[count - 1], 199999);
    HB_ASSERT_EQ(sum_of(primes, count), 1709600813);
    free(primes);
}

/* Finds the primes below a limit drawn for this run, checked one by one. */
static void search_at_random(uint32_t lowest_limit, uint32_t highest_limit) {
    uint32_t limit = (uint32_t)hb_random_named("limit", lowest_limit, highest_limit);
    uint32_t *primes;
    size_t count;
    HB_ASSERT_EQ_FATAL(primes_below(limit, &primes, &count), true);
    assert_primes_below(limit, primes, count);
    free(primes);
}

/* The two sides of a growth policy.  A long list: from 56,543 primes (below
 * 700,000) to 78,498 (below a million), so a constant step must be more
 * than 565 slots to stay within 100 allocations ... */
HB_MEMORY_TEST(test_many_primes_memory, .peak = "1 MiB", .leaks = "0 B", .allocations = "100") {
    search_at_random(700000, 1000000);
}

/* ... and a short one: from 109 primes (below 600) to 168 (below 1000),
 * where a step of more than 512 slots takes more than 2 KiB at once.  No
 * constant step passes both; doubling from 16 slots takes at most 1 KiB
 * here and 14 allocations above. */
HB_MEMORY_TEST(test_few_primes_memory, .peak = "2 KiB", .leaks = "0 B") {
    search_at_random(600, 1000);
}
