/* Exercise 05: Streaming instead of slurping.  Correctness first, then
 * memory. */
#define HB_SUITE_NAME "05-streaming"
#include "heapbook.h"

#include "sample_text.h"
#include "word_count.h"

#include <ctype.h>

/* Counts `text` (a string literal: its size includes the final NUL, which is
 * not part of the text) through a stream, as word_count reads files. */
#define COUNT_LITERAL(text, counts) count_text(text, sizeof(text) - 1, counts)

static bool count_text(const char *text, size_t length, word_counts *counts) {
    FILE *in = fmemopen((void *)text, length, "r");
    HB_ASSERT_NOT_NULL_FATAL(in);
    bool counted = word_count(in, counts);
    fclose(in);
    return counted;
}

static void assert_counts(word_counts counts, size_t lines, size_t words, size_t bytes) {
    HB_ASSERT_EQ(counts.lines, lines);
    HB_ASSERT_EQ(counts.words, words);
    HB_ASSERT_EQ(counts.bytes, bytes);
}

HB_TEST(test_empty_input) {
    word_counts counts;
    HB_ASSERT(count_text("", 0, &counts));
    assert_counts(counts, 0, 0, 0);
}

HB_TEST(test_one_line) {
    word_counts counts;
    HB_ASSERT(COUNT_LITERAL("hello, streaming world\n", &counts));
    assert_counts(counts, 1, 3, 23);
}

HB_TEST(test_last_line_without_newline) {
    word_counts counts; /* as wc counts it: two words, but no newline */
    HB_ASSERT(COUNT_LITERAL("one\ntwo", &counts));
    assert_counts(counts, 1, 2, 7);
}

HB_TEST(test_runs_of_white_space_separate_once) {
    word_counts counts;
    HB_ASSERT(COUNT_LITERAL("  a\t\tb  \n\n\n c\r\n\v\f d", &counts));
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
    HB_ASSERT(count_text(text, sizeof text, &counts));
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
    HB_ASSERT_NOT_NULL_FATAL(sample);
    rewind(sample);
    word_counts counts;
    HB_ASSERT(word_count(sample, &counts));
    assert_counts(counts, SAMPLE_LINES, SAMPLE_WORDS, SAMPLE_BYTES);
}

/* A counter that holds the whole 3 MiB text at once needs megabytes; one
 * that counts as it reads needs a line's worth, or a block of a few KiB. */
HB_MEMORY_TEST(test_word_count_memory, .peak = "64 KiB", .leaks = "0 B") {
    HB_ASSERT_NOT_NULL_FATAL(sample);
    rewind(sample);
    word_counts counts;
    HB_ASSERT(word_count(sample, &counts));
    assert_counts(counts, SAMPLE_LINES, SAMPLE_WORDS, SAMPLE_BYTES);
}

/* Counts what is left of `in` as the contract says, with getc() on the
 * stream's own buffer (so without the heap), and goes back to where it
 * started. */
static word_counts reference_counts(FILE *in) {
    long start = ftell(in);
    word_counts counts = {0};
    bool in_word = false;
    for (int c; (c = getc(in)) != EOF; counts.bytes++) {
        counts.lines += c == '\n';
        counts.words += !isspace(c) && !in_word;
        in_word = !isspace(c);
    }
    fseek(in, start, SEEK_SET);
    return counts;
}

/* The sample from a place drawn for this run, up to 1 MiB in (maybe inside
 * a word): what is left is always more than 2 MiB. */
enum { FURTHEST_RANDOM_START = 1024 * 1024 };

HB_MEMORY_TEST(test_random_start_memory, .peak = "64 KiB", .leaks = "0 B") {
    HB_ASSERT_NOT_NULL_FATAL(sample);
    HB_ASSERT_EQ_FATAL(
        fseek(sample, (long)hb_random_named("start", 0, FURTHEST_RANDOM_START), SEEK_SET), 0);
    word_counts expected = reference_counts(sample), counts;
    HB_ASSERT(word_count(sample, &counts));
    assert_counts(counts, expected.lines, expected.words, expected.bytes);
}

/* ---- Out of memory ------------------------------------------------------ */

/* word_count() with each allocation made to fail in turn, its own and the
 * stream's: false, or the right counts; nothing leaks either way. */
static const char short_text[] = "one two\nthree\n  four five six\n";
static void count_while_memory_runs_out(void) {
    FILE *in = fmemopen((void *)short_text, sizeof short_text - 1, "r");
    if (in == NULL)
        return;
    word_counts counts;
    if (word_count(in, &counts))
        assert_counts(counts, 3, 6, sizeof short_text - 1);
    fclose(in);
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(count_while_memory_runs_out); }
