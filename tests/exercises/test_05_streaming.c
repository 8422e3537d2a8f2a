/* Exercise 05: Streaming instead of slurping.  Correctness first, then
 * memory. */
#define HB_SUITE_NAME "05-streaming"
#include "heapbook.h"

#include "sample_text.h"
#include "word_count.h"

/* Counts `text` (a string literal: its size includes the final NUL, which is
 * not part of the text) through a stream, as word_count reads files. */
#define COUNT_LITERAL(text, counts) count_text(text, sizeof(text) - 1, counts)

static bool count_text(const char *text, size_t length, word_counts *counts) {
    FILE *in = fmemopen((void *)text, length, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    bool counted = word_count(in, counts);
    fclose(in);
    return counted;
}

static void assert_counts(word_counts counts, size_t lines, size_t words, size_t bytes) {
    CU_ASSERT_EQUAL(counts.lines, lines);
    CU_ASSERT_EQUAL(counts.words, words);
    CU_ASSERT_EQUAL(counts.bytes, bytes);
}

HB_TEST(test_empty_input) {
    word_counts counts;
    CU_ASSERT_TRUE(count_text("", 0, &counts));
    assert_counts(counts, 0, 0, 0);
}

HB_TEST(test_one_line) {
    word_counts counts;
    CU_ASSERT_TRUE(COUNT_LITERAL("hello, streaming world\n", &counts));
    assert_counts(counts, 1, 3, 23);
}

HB_TEST(test_last_line_without_newline) {
    word_counts counts; /* as wc counts it: two words, but no newline */
    CU_ASSERT_TRUE(COUNT_LITERAL("one\ntwo", &counts));
    assert_counts(counts, 1, 2, 7);
}

HB_TEST(test_runs_of_white_space_separate_once) {
    word_counts counts;
    CU_ASSERT_TRUE(COUNT_LITERAL("  a\t\tb  \n\n\n c\r\n\v\f d", &counts));
    assert_counts(counts, 4, 4, 19);
}

/* A line of 10000 bytes: longer than any first guess at a line's length,
 * and than stdio's buffer. */
HB_TEST(test_a_very_long_line) {
    enum { LINE_LENGTH = 10000 };
    static char text[LINE_LENGTH + 1];
    for (size_t i = 0; i < LINE_LENGTH; i++)
        text[i] = i % 10 == 9 ? ' ' : 'x';
    text[LINE_LENGTH] = '\n';
    word_counts counts;
    CU_ASSERT_TRUE(count_text(text, sizeof text, &counts));
    assert_counts(counts, 1, 1000, 10001);
}

/* Made once, before any test runs (so outside every measured scope): each
 * test rewinds it.  The memory test then measures the counting alone, not
 * the making of the input. */
static FILE *sample;

__attribute__((constructor)) static void open_sample(void) {
    sample = sample_text_open(SAMPLE_TEXT_SIZE);
}

/* `wc` says the same about the sample text. */
enum { SAMPLE_LINES = 63051, SAMPLE_WORDS = 501308, SAMPLE_BYTES = 3145744 };

HB_TEST(test_sample_text) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(sample);
    rewind(sample);
    word_counts counts;
    CU_ASSERT_TRUE(word_count(sample, &counts));
    assert_counts(counts, SAMPLE_LINES, SAMPLE_WORDS, SAMPLE_BYTES);
}

/* A counter that holds the whole 3 MiB text at once needs megabytes; one
 * that counts as it reads needs a line's worth. */
HB_MEMORY_TEST(test_word_count_memory, .peak = "64 KiB", .leaks = "0 B") {
    CU_ASSERT_PTR_NOT_NULL_FATAL(sample);
    rewind(sample);
    word_counts counts;
    CU_ASSERT_TRUE(word_count(sample, &counts));
    assert_counts(counts, SAMPLE_LINES, SAMPLE_WORDS, SAMPLE_BYTES);
}
