/* UTF-8 as the results files and JSON need it (base/format.c): valid
 * sequences pass whole, anything else is told apart byte by byte. */
#define HB_SUITE_NAME "utf-8"
#include "measure.h"

#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t length_of(const char *text, uint32_t *code_point) {
    *code_point = 0xdeadbeef;
    return hb_utf8_sequence(text, code_point);
}

HB_TEST(test_valid_sequences_and_their_code_points) {
    uint32_t c;
    CU_ASSERT_EQUAL(length_of("A", &c), 1);
    CU_ASSERT_EQUAL(c, 'A');
    CU_ASSERT_EQUAL(length_of("\xc3\xa9", &c), 2); /* é */
    CU_ASSERT_EQUAL(c, 0xe9);
    CU_ASSERT_EQUAL(length_of("\xe2\x82\xac", &c), 3); /* € */
    CU_ASSERT_EQUAL(c, 0x20ac);
    CU_ASSERT_EQUAL(length_of("\xf0\x9f\x98\x80", &c), 4); /* U+1F600 */
    CU_ASSERT_EQUAL(c, 0x1f600);
    CU_ASSERT_EQUAL(length_of("\xf4\x8f\xbf\xbf", &c), 4); /* U+10FFFF, the last */
    CU_ASSERT_EQUAL(c, 0x10ffff);
}

HB_TEST(test_invalid_sequences_are_zero_long) {
    static const char *const invalid[] = {
        "\x80",             /* a continuation byte alone */
        "\xc0\xaf",         /* '/' overlong */
        "\xc1\xbf",         /* overlong */
        "\xe0\x80\xaf",     /* overlong */
        "\xed\xa0\x80",     /* a surrogate, U+D800 */
        "\xf0\x8f\xbf\xbf", /* overlong */
        "\xf4\x90\x80\x80", /* past U+10FFFF */
        "\xf5\x80\x80\x80", /* no such lead byte */
        "\xff",
        "\xe2\x82", /* cut short by the end */
        "\xe2(\xac",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        uint32_t c;
        CU_ASSERT_EQUAL(length_of(invalid[i], &c), 0);
    }
}

/* JSON: every byte that is not UTF-8 becomes \ufffd, controls escaped. */
HB_TEST(test_json_replaces_what_is_not_utf8) {
    char *written = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&written, &size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    hb_json_escape(out, "a\xff\x01\xc3\xa9\xe2\x82\"");
    fclose(out);
    CU_ASSERT_STRING_EQUAL(written, "a\\ufffd\\u0001\xc3\xa9\\ufffd\\ufffd\\\"");
    free(written);
}
