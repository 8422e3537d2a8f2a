/* Exercise 03: The cache that never forgets.  Correctness first, then memory.
 * The expected values are those of Memray's tutorial, whose Python works with
 * whole integers; here they are the last nine digits. */
#define HB_SUITE_NAME "03-unbounded-cache"
#include "heapbook.h"

#include "adder.h"

#include <string.h>

HB_TEST(test_inc_0_gives_factorials) {
    adder *a = adder_create(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(factorial_plus(a, 0), 1);
    CU_ASSERT_EQUAL(factorial_plus(a, 1), 1);
    CU_ASSERT_EQUAL(factorial_plus(a, 4), 24);
    CU_ASSERT_EQUAL(factorial_plus(a, 10), 3628800);
    adder_destroy(a);
}

HB_TEST(test_inc_5) {
    adder *a = adder_create(5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(factorial_plus(a, 3), 56);  /* 3 * (2 * (1 + 5) + 5) + 5 */
    CU_ASSERT_EQUAL(factorial_plus(a, 4), 229); /* 4 * 56 + 5 */
    adder_destroy(a);
}

HB_TEST(test_values_keep_their_last_nine_digits) {
    adder *a = adder_create(0), *b = adder_create(7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(factorial_plus(a, 13), 227020800); /* 13! = 6227020800 */
    CU_ASSERT_EQUAL(factorial_plus(a, 20), 176640000); /* 20! = 2432902008176640000 */
    CU_ASSERT_EQUAL(factorial_plus(b, 15), 346096532); /* f(15) = 17036346096532 */
    adder_destroy(b);
    adder_destroy(a);
}

/* Two adders alive at once, and a new one made after an old one is gone:
 * no adder may be handed another's values. */
HB_TEST(test_adders_keep_to_their_own_values) {
    adder *plain = adder_create(0), *plus_5 = adder_create(5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plus_5);
    CU_ASSERT_EQUAL(factorial_plus(plain, 4), 24);
    CU_ASSERT_EQUAL(factorial_plus(plus_5, 4), 229);
    CU_ASSERT_EQUAL(factorial_plus(plain, 3), 6);
    adder_destroy(plus_5);
    adder *plus_1 = adder_create(1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plus_1);
    CU_ASSERT_EQUAL(factorial_plus(plus_1, 4), 65);
    CU_ASSERT_EQUAL(factorial_plus(plain, 4), 24);
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
    CU_ASSERT_EQUAL(wrong, 0);
}

/* Collects the visited digits, for the sequence tests below. */
typedef struct digit_list {
    unsigned char digits[32];
    size_t length;
} digit_list;

static void append_digit(unsigned digit, void *list) {
    digit_list *l = list;
    if (l->length < sizeof l->digits)
        l->digits[l->length] = (unsigned char)digit;
    l->length++;
}

static bool digits_are(const digit_list *l, const unsigned char *expected, size_t length) {
    return l->length == length && memcmp(l->digits, expected, length) == 0;
}

HB_TEST(test_last_digits_of_factorials) {
    digit_list l = {0};
    CU_ASSERT_TRUE(visit_last_digits(1, 6, append_digit, &l));
    /* 0! to 5!: 1 1 2 6 24 120 */
    CU_ASSERT_TRUE(digits_are(&l, (const unsigned char[]){1, 1, 2, 6, 4, 0}, 6));
}

HB_TEST(test_last_digits_of_f0_for_each_inc) {
    digit_list l = {0};
    CU_ASSERT_TRUE(visit_last_digits(5, 1, append_digit, &l));
    /* f(0) = 1 + inc */
    CU_ASSERT_TRUE(digits_are(&l, (const unsigned char[]){1, 2, 3, 4, 5}, 5));
}

HB_TEST(test_last_digits_of_three_adders) {
    digit_list l = {0};
    CU_ASSERT_TRUE(visit_last_digits(3, 5, append_digit, &l));
    const unsigned char expected[] = {
        1, 1, 2, 6, 4, /* inc 0: 1 1 2 6 24 */
        2, 2, 5, 6, 5, /* inc 1: 2 2 5 16 65 */
        3, 3, 8, 6, 6, /* inc 2: 3 3 8 26 106 */
    };
    CU_ASSERT_TRUE(digits_are(&l, expected, sizeof expected));
}

/* The run of Memray's tutorial: 500 adders of 500 values, then 1000 of
 * 1000.  One adder is alive at a time, so the memory one needs is all that
 * should ever be live, and nothing should be left when the last is gone. */
HB_MEMORY_TEST(test_cache_memory, .peak = "1 MiB", .leaks = "0 B") {
    unsigned long counts[10];
    CU_ASSERT_TRUE(count_last_digits(500, 500, counts));
    const unsigned long expected_500[10] = {96950, 7650,  22450, 7650,  22450,
                                            32150, 22950, 7650,  22450, 7650};
    CU_ASSERT_EQUAL(memcmp(counts, expected_500, sizeof counts), 0);
    CU_ASSERT_TRUE(count_last_digits(1000, 1000, counts));
    const unsigned long expected_1000[10] = {388900, 30300, 89900, 30300, 89900,
                                             129300, 90900, 30300, 89900, 30300};
    CU_ASSERT_EQUAL(memcmp(counts, expected_1000, sizeof counts), 0);
}
