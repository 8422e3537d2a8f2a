/* Exercise 10: Bits, not bytes.  Correctness first, then memory. */
#define HB_SUITE_NAME "10-bit-sieve"
#include "heapbook.h"

#include "prime_sieve.h"

#include <stdint.h>

/* How many primes the sieve finds below `limit`. */
static size_t primes_below(size_t limit) {
    prime_sieve *sieve = prime_sieve_new(limit);
    HB_ASSERT_NOT_NULL_FATAL(sieve);
    size_t count = prime_sieve_count(sieve);
    prime_sieve_free(sieve);
    return count;
}

HB_TEST(test_no_primes_below_two) {
    HB_ASSERT_EQ(primes_below(0), 0);
    HB_ASSERT_EQ(primes_below(1), 0);
    HB_ASSERT_EQ(primes_below(2), 0);
    HB_ASSERT_EQ(primes_below(3), 1);
    prime_sieve_free(NULL);
}

HB_TEST(test_small_numbers) {
    prime_sieve *sieve = prime_sieve_new(100);
    HB_ASSERT_NOT_NULL_FATAL(sieve);
    HB_ASSERT_EQ(prime_sieve_count(sieve), 25);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 0), false);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 1), false);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 2), true);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 3), true);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 4), false);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 49), false); /* 7 * 7: the first 7 crosses out */
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 91), false); /* 7 * 13 */
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 97), true);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 99), false);
    prime_sieve_free(sieve);
}

/* Limits around 64, where a word of 64 bits ends, and around 8, where a
 * byte of bits does: 61 is prime, 62, 63 and 64 are not. */
HB_TEST(test_limits_at_word_edges) {
    HB_ASSERT_EQ(primes_below(8), 4);
    HB_ASSERT_EQ(primes_below(9), 4);
    HB_ASSERT_EQ(primes_below(61), 17);
    HB_ASSERT_EQ(primes_below(62), 18);
    HB_ASSERT_EQ(primes_below(64), 18);
    HB_ASSERT_EQ(primes_below(65), 18);
    HB_ASSERT_EQ(primes_below(128), 31);
    HB_ASSERT_EQ(primes_below(129), 31);
}

HB_TEST(test_primes_below_a_million) {
    prime_sieve *sieve = prime_sieve_new(1000000);
    HB_ASSERT_NOT_NULL_FATAL(sieve);
    HB_ASSERT_EQ(prime_sieve_count(sieve), 78498);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 7919), true);    /* the 1000th prime */
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 999983), true);  /* the last below a million */
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 999997), false); /* 757 * 1321 */
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 994009), false); /* 997 * 997 */
    prime_sieve_free(sieve);
}

static void sieve_until_memory_runs_out(void) {
    prime_sieve *sieve = prime_sieve_new(1000);
    if (sieve != NULL)
        HB_ASSERT_EQ(prime_sieve_count(sieve), 168);
    prime_sieve_free(sieve);
}

HB_TEST(test_sieve_copes_when_memory_runs_out) {
    hb_fail_each_allocation(sieve_until_memory_runs_out);
}

/* Ten million numbers, each of them prime or not: one bit of news apiece.
 * 2 MiB holds a bit per number (1.2 MiB), not a byte per odd number
 * (4.8 MiB). */
HB_MEMORY_TEST(test_sieve_memory, .peak = "2 MiB", .leaks = "0 B") {
    prime_sieve *sieve = prime_sieve_new(10000000);
    HB_ASSERT_NOT_NULL_FATAL(sieve);
    HB_ASSERT_EQ(prime_sieve_count(sieve), 664579);
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 9999991), true);  /* the last below ten million */
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, 9999999), false); /* 3 * 3 * 239 * 4649 */
    prime_sieve_free(sieve);
}

/* Whether n is prime, by trial division: the tests' own answer. */
static bool is_prime(size_t n) {
    if (n < 2)
        return false;
    for (size_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return false;
    return true;
}

/* How many primes there are below `limit`, by a sieve of its own that
 * works through the numbers a segment at a time, in a few KiB of stack:
 * the tests' own answer, without the heap.  For a limit up to 2^28. */
static size_t reference_count(size_t limit) {
    enum { SEGMENT = 4096, MOST_SMALL_PRIMES = 2048 }; /* the primes below 2^14: 1900 */
    uint32_t small[MOST_SMALL_PRIMES];
    size_t smalls = 0, count = 0;
    for (uint32_t p = 2; (size_t)p * p < limit; p++)
        if (is_prime(p))
            small[smalls++] = p;
    bool composite[SEGMENT];
    for (size_t low = 0; low < limit; low += SEGMENT) {
        size_t high = low + SEGMENT < limit ? low + SEGMENT : limit;
        for (size_t n = low; n < high; n++)
            composite[n - low] = n < 2;
        for (size_t i = 0; i < smalls; i++) {
            size_t p = small[i], first = p * p > low ? p * p : (low + p - 1) / p * p;
            for (size_t multiple = first; multiple < high; multiple += p)
                composite[multiple - low] = true;
        }
        for (size_t n = low; n < high; n++)
            count += !composite[n - low];
    }
    return count;
}

/* Another limit on every run, odd (so not a whole number of words of
 * bits), from 6 to 12 million: a bit per number always fits in 2 MiB (at
 * most 1.4 MiB), a byte per odd number never does (at least 2.9 MiB). */
HB_MEMORY_TEST(test_random_limit_memory, .peak = "2 MiB", .leaks = "0 B") {
    size_t limit = 2 * hb_random_named("half the limit", 3000000, 6000000) + 1;
    prime_sieve *sieve = prime_sieve_new(limit);
    HB_ASSERT_NOT_NULL_FATAL(sieve);
    HB_ASSERT_EQ(prime_sieve_count(sieve), reference_count(limit));
    for (int i = 0; i < 100; i++) {
        size_t n = hb_random_named("n", 0, limit - 1);
        HB_ASSERT_EQ(prime_sieve_is_prime(sieve, n), is_prime(n));
    }
    HB_ASSERT_EQ(prime_sieve_is_prime(sieve, limit - 1), is_prime(limit - 1));
    prime_sieve_free(sieve);
}
