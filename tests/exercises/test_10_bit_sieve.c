/* Exercise 10: Bits, not bytes.  Correctness first, then memory. */
#define HB_SUITE_NAME "10-bit-sieve"
#include "heapbook.h"

#include "prime_sieve.h"

/* How many primes the sieve finds below `limit`. */
static size_t primes_below(size_t limit) {
    prime_sieve *sieve = prime_sieve_new(limit);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sieve);
    size_t count = prime_sieve_count(sieve);
    prime_sieve_free(sieve);
    return count;
}

HB_TEST(test_no_primes_below_two) {
    CU_ASSERT_EQUAL(primes_below(0), 0);
    CU_ASSERT_EQUAL(primes_below(1), 0);
    CU_ASSERT_EQUAL(primes_below(2), 0);
    CU_ASSERT_EQUAL(primes_below(3), 1);
    prime_sieve_free(NULL);
}

HB_TEST(test_small_numbers) {
    prime_sieve *sieve = prime_sieve_new(100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sieve);
    CU_ASSERT_EQUAL(prime_sieve_count(sieve), 25);
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 0));
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 1));
    CU_ASSERT_TRUE(prime_sieve_is_prime(sieve, 2));
    CU_ASSERT_TRUE(prime_sieve_is_prime(sieve, 3));
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 4));
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 49)); /* 7 * 7: the first multiple 7 crosses out */
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 91)); /* 7 * 13 */
    CU_ASSERT_TRUE(prime_sieve_is_prime(sieve, 97));
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 99));
    prime_sieve_free(sieve);
}

/* Limits around 64, where a word of 64 bits ends, and around 8, where a
 * byte of bits does: 61 is prime, 62, 63 and 64 are not. */
HB_TEST(test_limits_at_word_edges) {
    CU_ASSERT_EQUAL(primes_below(8), 4);
    CU_ASSERT_EQUAL(primes_below(9), 4);
    CU_ASSERT_EQUAL(primes_below(61), 17);
    CU_ASSERT_EQUAL(primes_below(62), 18);
    CU_ASSERT_EQUAL(primes_below(64), 18);
    CU_ASSERT_EQUAL(primes_below(65), 18);
    CU_ASSERT_EQUAL(primes_below(128), 31);
    CU_ASSERT_EQUAL(primes_below(129), 31);
}

HB_TEST(test_primes_below_a_million) {
    prime_sieve *sieve = prime_sieve_new(1000000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sieve);
    CU_ASSERT_EQUAL(prime_sieve_count(sieve), 78498);
    CU_ASSERT_TRUE(prime_sieve_is_prime(sieve, 7919));    /* the 1000th prime */
    CU_ASSERT_TRUE(prime_sieve_is_prime(sieve, 999983));  /* the last below a million */
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 999997)); /* 757 * 1321 */
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 994009)); /* 997 * 997 */
    prime_sieve_free(sieve);
}

static void sieve_until_memory_runs_out(void) {
    prime_sieve *sieve = prime_sieve_new(1000);
    if (sieve != NULL)
        CU_ASSERT_EQUAL(prime_sieve_count(sieve), 168);
    prime_sieve_free(sieve);
}

HB_TEST(test_sieve_copes_when_memory_runs_out) {
    hb_fail_each_allocation(sieve_until_memory_runs_out);
}

/* Ten million numbers, each of them prime or not: one bit of news apiece. */
HB_MEMORY_TEST(test_sieve_memory, .peak = "2 MiB", .leaks = "0 B") {
    prime_sieve *sieve = prime_sieve_new(10000000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sieve);
    CU_ASSERT_EQUAL(prime_sieve_count(sieve), 664579);
    CU_ASSERT_TRUE(prime_sieve_is_prime(sieve, 9999991));  /* the last below ten million */
    CU_ASSERT_FALSE(prime_sieve_is_prime(sieve, 9999999)); /* 3 * 3 * 239 * 4649 */
    prime_sieve_free(sieve);
}
