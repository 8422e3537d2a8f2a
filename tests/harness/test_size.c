/* Size strings: parsed exactly, rejected clearly, printed consistently. */
#define HB_SUITE_NAME "sizes"
#include "measure.h"

#include "base/base.h"

#include <stdint.h>
#include <string.h>

static size_t parsed(const char *text) {
    size_t bytes = 0;
    char error[HB_SIZE_ERROR];
    CU_ASSERT_TRUE(hb_size_parse(text, &bytes, error));
    return bytes;
}

static const char *rejected(const char *text) {
    static char error[HB_SIZE_ERROR];
    size_t bytes = 12345;
    CU_ASSERT_FALSE(hb_size_parse(text, &bytes, error));
    CU_ASSERT_EQUAL(bytes, 12345); /* untouched on error */
    return error;
}

HB_TEST(test_si_and_iec_units) {
    CU_ASSERT_EQUAL(parsed("100"), 100);
    CU_ASSERT_EQUAL(parsed("100 B"), 100);
    CU_ASSERT_EQUAL(parsed("100 KB"), 100000);
    CU_ASSERT_EQUAL(parsed("100 kB"), 100000);
    CU_ASSERT_EQUAL(parsed("100KiB"), 102400);
    CU_ASSERT_EQUAL(parsed("2 mib"), 2 * 1048576);
    CU_ASSERT_EQUAL(parsed("3 MB"), 3000000);
    CU_ASSERT_EQUAL(parsed("1 GiB"), 1073741824);
    CU_ASSERT_EQUAL(parsed("1 GB"), 1000000000);
}

HB_TEST(test_fractions_are_exact_and_round_down) {
    CU_ASSERT_EQUAL(parsed("1.5 MiB"), 1572864);
    CU_ASSERT_EQUAL(parsed("0.5 KB"), 500);
    CU_ASSERT_EQUAL(parsed("1.1 MiB"), 1153433); /* 1153433.6 */
    CU_ASSERT_EQUAL(parsed("2.999999999 B"), 2);
}

#define FORMS                                                                                      \
    "write digits, an optional fraction after a dot, an optional space and a unit (B, KB, MB, "    \
    "GB, KiB, MiB or GiB, any case), nothing else: \"100 KiB\", \"1.5MiB\", \"2048\""

HB_TEST(test_bad_sizes_say_what_is_wrong) {
    CU_ASSERT_STRING_EQUAL(
        rejected("100 KX"),
        "size \"100 KX\" has an unknown unit (use B, KB, MB, GB, KiB, MiB or GiB)");
    CU_ASSERT_STRING_EQUAL(rejected("KiB"), "size \"KiB\" does not start with a number: " FORMS);
    CU_ASSERT_STRING_EQUAL(rejected(""), "size \"\" does not start with a number: " FORMS);
    CU_ASSERT_STRING_EQUAL(rejected("-5 KiB"),
                           "size \"-5 KiB\" does not start with a number: " FORMS);
    CU_ASSERT_STRING_EQUAL(rejected("99999999999999999999 B"),
                           "size \"99999999999999999999 B\" is too large");
    CU_ASSERT_STRING_EQUAL(rejected("20000000000 GiB"), "size \"20000000000 GiB\" is too large");
    CU_ASSERT_STRING_EQUAL(rejected("1.0000000001 B"),
                           "size \"1.0000000001 B\" has more than 9 decimals");
    CU_ASSERT_STRING_EQUAL(rejected("10 KiB extra"),
                           "size \"10 KiB extra\" is not a number and a unit: " FORMS);
}

/* Each used to be read in part ("1,5 MiB" as 1 B, "100-KiB" as 100 B):
 * anything but the grammar is an error naming the text, its odd bytes
 * shown as they are. */
HB_TEST(test_anything_but_number_space_unit_is_rejected) {
    static const char *const malformed[] = {
        "1,5 MiB", "1.5.5 KiB", "100-KiB", "100 (KiB)", "1. KiB",  ".5 KiB", "100  KiB",
        "100 ",    " 100",      "+100",    "100 KiB ",  "100 B B", "1e3 B",  "0x10 B",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        char expected[HB_SIZE_ERROR];
        const char *reason =
            malformed[i][0] == ' ' || malformed[i][0] == '+' || malformed[i][0] == '.'
                ? "does not start with a number"
                : "is not a number and a unit";
        snprintf(expected, sizeof expected, "size \"%s\" %s: " FORMS, malformed[i], reason);
        CU_ASSERT_STRING_EQUAL(rejected(malformed[i]), expected);
    }
    CU_ASSERT_STRING_EQUAL(rejected("1\xc2\xa0MiB"),
                           "size \"1\\xc2\\xa0MiB\" is not a number and a unit: " FORMS);
    CU_ASSERT_STRING_EQUAL(rejected("1\tMiB"),
                           "size \"1\\x09MiB\" is not a number and a unit: " FORMS);
    CU_ASSERT_STRING_EQUAL(rejected("1 MiB\n"),
                           "size \"1 MiB\\x0a\" is not a number and a unit: " FORMS);
}

HB_TEST(test_counts) {
    size_t count = 7;
    char error[HB_SIZE_ERROR];
    CU_ASSERT_TRUE(hb_count_parse("1000", &count, error));
    CU_ASSERT_EQUAL(count, 1000);
    static const char *const malformed[] = {"10 KiB", "",   " 1000", "1000 ",
                                            "1,000",  "-1", "1.5",   "+3"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        char expected[HB_SIZE_ERROR];
        snprintf(expected, sizeof expected,
                 "count \"%s\" is not a whole number: write digits only, nothing else: \"1000\"",
                 malformed[i]);
        count = 7;
        CU_ASSERT_FALSE(hb_count_parse(malformed[i], &count, error));
        CU_ASSERT_STRING_EQUAL(error, expected);
        CU_ASSERT_EQUAL(count, 7);
    }
    CU_ASSERT_FALSE(hb_count_parse("99999999999999999999", &count, error));
    CU_ASSERT_STRING_EQUAL(error, "count \"99999999999999999999\" is too large");
}

HB_TEST(test_printing_uses_iec_units_with_one_decimal) {
    char text[HB_SIZE_TEXT];
    CU_ASSERT_STRING_EQUAL(hb_size_format(0, text), "0 B");
    CU_ASSERT_STRING_EQUAL(hb_size_format(1023, text), "1023 B");
    CU_ASSERT_STRING_EQUAL(hb_size_format(1024, text), "1.0 KiB");
    CU_ASSERT_STRING_EQUAL(hb_size_format(102400, text), "100.0 KiB");
    CU_ASSERT_STRING_EQUAL(hb_size_format(524288, text), "512.0 KiB");
    CU_ASSERT_STRING_EQUAL(hb_size_format(1153434, text), "1.1 MiB");
    CU_ASSERT_STRING_EQUAL(hb_size_format(1572864, text), "1.5 MiB");
    CU_ASSERT_STRING_EQUAL(hb_size_format(1101, text), "1.1 KiB"); /* 1.0752 rounds up */
    CU_ASSERT_STRING_EQUAL(hb_size_format(SIZE_MAX, text), "16.0 EiB");
}

HB_TEST(test_printed_limits_read_back_as_the_same_size) {
    char text[HB_SIZE_TEXT];
    CU_ASSERT_EQUAL(parsed(hb_size_format(102400, text)), 102400);
    CU_ASSERT_EQUAL(parsed(hb_size_format(3 * 1048576, text)), 3 * 1048576);
}
