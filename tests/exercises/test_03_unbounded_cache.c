/* Exercise 03: The cache that never forgets.  Correctness first, then memory.
 * The expected values are those of Memray's tutorial, whose Python works with
 * whole integers; here they are the last nine digits. */
#define HB_SUITE_NAME "03-unbounded-cache"
#include "heapbook.h"

#include "adder.h"
#include "memo.h"

#include <stdio.h>

enum { MODULUS = 1000000000 };

HB_TEST(test_inc_0_gives_factorials) {
    adder *a = adder_create(0);
    HB_ASSERT_NOT_NULL_FATAL(a);
    HB_ASSERT_EQ(factorial_plus(a, 0), 1);
    HB_ASSERT_EQ(factorial_plus(a, 1), 1);
    HB_ASSERT_EQ(factorial_plus(a, 4), 24);
    HB_ASSERT_EQ(factorial_plus(a, 10), 3628800);
    adder_destroy(a);
}

HB_TEST(test_inc_5) {
    adder *a = adder_create(5);
    HB_ASSERT_NOT_NULL_FATAL(a);
    HB_ASSERT_EQ(factorial_plus(a, 3), 56);  /* 3 * (2 * (1 + 5) + 5) + 5 */
    HB_ASSERT_EQ(factorial_plus(a, 4), 229); /* 4 * 56 + 5 */
    adder_destroy(a);
}

HB_TEST(test_values_keep_their_last_nine_digits) {
    adder *a = adder_create(0), *b = adder_create(7);
    HB_ASSERT_NOT_NULL_FATAL(a);
    HB_ASSERT_NOT_NULL_FATAL(b);
    HB_ASSERT_EQ(factorial_plus(a, 13), 227020800); /* 13! = 6227020800 */
    HB_ASSERT_EQ(factorial_plus(a, 20), 176640000); /* 20! = 2432902008176640000 */
    HB_ASSERT_EQ(factorial_plus(b, 15), 346096532); /* f(15) = 17036346096532 */
    adder_destroy(b);
    adder_destroy(a);
}

/* Two adders alive at once, and a new one made after an old one is gone:
 * no adder may be handed another's values. */
HB_TEST(test_adders_keep_to_their_own_values) {
    adder *plain = adder_create(0), *plus_5 = adder_create(5);
    HB_ASSERT_NOT_NULL_FATAL(plain);
    HB_ASSERT_NOT_NULL_FATAL(plus_5);
    HB_ASSERT_EQ(factorial_plus(plain, 4), 24);
    HB_ASSERT_EQ(factorial_plus(plus_5, 4), 229);
    HB_ASSERT_EQ(factorial_plus(plain, 3), 6);
    adder_destroy(plus_5);
    adder *plus_1 = adder_create(1);
    HB_ASSERT_NOT_NULL_FATAL(plus_1);
    HB_ASSERT_EQ(factorial_plus(plus_1, 4), 65);
    HB_ASSERT_EQ(factorial_plus(plain, 4), 24);
    adder_destroy(plus_1);
    adder_destroy(plain);
}

/* Adders made and destroyed one after another, as the tutorial's loop does;
 * a new adder may well be given the address of the one before it. */
HB_TEST(test_each_new_adder_starts_afresh) {
    unsigned wrong = 0;
    for (unsigned inc = 0; inc < 300; inc++) {
        adder *a = adder_create(inc);
        /* f(2) = 2 * (1 + inc) + inc */
        wrong += a == NULL || factorial_plus(a, 2) != 2 + 3 * inc;
        adder_destroy(a);
    }
    HB_ASSERT_EQ(wrong, 0);
}

/* The visited digits as text ("112640"), for the sequence tests below. */
typedef struct digit_list {
    char digits[32];
    size_t length;
} digit_list;

static void append_digit(unsigned digit, void *list) {
    digit_list *l = list;
    if (l->length + 1 < sizeof l->digits)
        l->digits[l->length] = (char)('0' + digit);
    l->length++;
}

HB_TEST(test_last_digits_of_factorials) {
    digit_list l = {0};
    HB_ASSERT(visit_last_digits(1, 6, append_digit, &l));
    HB_ASSERT_STR_EQ(l.digits, "112640"); /* 0! to 5!: 1 1 2 6 24 120 */
}

HB_TEST(test_last_digits_of_f0_for_each_inc) {
    digit_list l = {0};
    HB_ASSERT(visit_last_digits(5, 1, append_digit, &l));
    HB_ASSERT_STR_EQ(l.digits, "12345"); /* f(0) = 1 + inc */
}

HB_TEST(test_last_digits_of_three_adders) {
    digit_list l = {0};
    HB_ASSERT(visit_last_digits(3, 5, append_digit, &l));
    HB_ASSERT_STR_EQ(l.digits, "11264" /* inc 0: 1 1 2 6 24 */
                               "22565" /* inc 1: 2 2 5 16 65 */
                               "33866" /* inc 2: 3 3 8 26 106 */);
}

/* The ten counts as text ("96950 7650 ..."), so that a wrong one shows. */
enum { COUNTS_TEXT = 10 * 21 };
static const char *counts_text(const unsigned long counts[10], char text[COUNTS_TEXT]) {
    size_t used = 0;
    for (unsigned d = 0; d < 10; d++)
        used +=
            (size_t)snprintf(text + used, COUNTS_TEXT - used, d == 0 ? "%lu" : " %lu", counts[d]);
    return text;
}

static void assert_counts(unsigned incs, unsigned ns, const unsigned long expected[10]) {
    unsigned long counts[10];
    char counted[COUNTS_TEXT], wanted[COUNTS_TEXT];
    HB_ASSERT(count_last_digits(incs, ns, counts));
    HB_ASSERT_STR_EQ(counts_text(counts, counted), counts_text(expected, wanted));
}

/* The run of Memray's tutorial: 500 adders of 500 values, then 1000 of
 * 1000.  One adder is alive at a time, so the memory one needs is all that
 * should ever be live (about 72 KiB), and nothing should be left when the
 * last is gone; keeping the adders that are gone costs megabytes. */
HB_MEMORY_TEST(test_cache_memory, .peak = "1 MiB", .leaks = "0 B") {
    assert_counts(500, 500,
                  (const unsigned long[10]){96950, 7650, 22450, 7650, 22450, 32150, 22950, 7650,
                                            22450, 7650});
    assert_counts(1000, 1000,
                  (const unsigned long[10]){388900, 30300, 89900, 30300, 89900, 129300, 90900,
                                            30300, 89900, 30300});
}

/* count_last_digits() worked out here without a memo or the heap: each
 * adder's values in turn, each from the one before. */
static void reference_counts(unsigned incs, unsigned ns, unsigned long counts[10]) {
    for (unsigned d = 0; d < 10; d++)
        counts[d] = 0;
    for (unsigned inc = 0; inc < incs; inc++) {
        uint64_t value = 0;
        for (unsigned n = 0; n < ns; n++) {
            value = n <= 1 ? (1 + inc) % MODULUS : (n * value + inc) % MODULUS;
            counts[value % 10]++;
        }
    }
}

/* Other sizes on every run: from 300 to 700 adders of 300 to 700 values.
 * One adder's values never need more than 36 KiB; 300 adders' tables, kept,
 * need 3.5 MiB. */
enum { FEWEST_RANDOM = 300, MOST_RANDOM = 700 };

HB_MEMORY_TEST(test_random_adders_memory, .peak = "1 MiB", .leaks = "0 B") {
    unsigned incs = (unsigned)hb_random_named("adders", FEWEST_RANDOM, MOST_RANDOM);
    unsigned ns = (unsigned)hb_random_named("n", FEWEST_RANDOM, MOST_RANDOM);
    unsigned long expected[10];
    reference_counts(incs, ns, expected);
    assert_counts(incs, ns, expected);
}

/* ---- Out of memory ------------------------------------------------------ */

/* Every public function that allocates, with each allocation made to fail
 * in turn: an adder that cannot be made is NULL, a value with no memory to
 * remember is still right, a memo that cannot grow is unchanged, and
 * nothing leaks, whatever failed. */
static void add_while_memory_runs_out(void) {
    adder *a = adder_create(5);
    if (a != NULL) {
        HB_ASSERT_EQ(factorial_plus(a, 4), 229);
        HB_ASSERT_EQ(factorial_plus(a, 3), 56);
        adder_destroy(a);
    }
    unsigned long counts[10];
    if (count_last_digits(3, 5, counts)) {
        unsigned long total = 0;
        for (unsigned d = 0; d < 10; d++)
            total += counts[d];
        HB_ASSERT_EQ(total, 15);
    }
    memo *m = memo_create();
    if (m != NULL) {
        uint64_t value = 0;
        for (uint64_t key = 0; key < 40; key++)
            if (memo_put(m, key, key * key))
                HB_ASSERT(memo_get(m, key, &value) && value == key * key);
            else
                HB_ASSERT(!memo_get(m, key, &value));
        memo_destroy(m);
    }
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(add_while_memory_runs_out); }
