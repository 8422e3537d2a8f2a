/* Exercise 16: Bytes nobody wrote.  Correctness first, then memory. */
#define HB_SUITE_NAME "16-uninitialised-bytes"
#include "heapbook.h"

#include "tally.h"

#include <stdio.h>
#include <string.h>

/* Word number n, as letters: "a", "b", ..., "z", "ba", "bb", ... */
static void word_number(unsigned n, char word[TALLY_LONGEST_WORD + 1]) {
    char reversed[TALLY_LONGEST_WORD + 1];
    size_t length = 0;
    do {
        reversed[length++] = (char)('a' + n % 26);
        n /= 26;
    } while (n > 0);
    for (size_t i = 0; i < length; i++)
        word[i] = reversed[length - 1 - i];
    word[length] = '\0';
}

HB_TEST(test_a_new_tally_is_empty) {
    tally *t = tally_new();
    HB_ASSERT_NOT_NULL_FATAL(t);
    HB_ASSERT_EQ(tally_words(t), 0);
    HB_ASSERT_EQ(tally_count(t, "memory"), 0);
    tally_free(t);
    tally_free(NULL);
}

HB_TEST(test_counts_words) {
    tally *t = tally_new();
    HB_ASSERT_NOT_NULL_FATAL(t);
    const char *words[] = {"to", "be", "or", "not", "to", "be"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        HB_ASSERT(tally_add(t, words[i]));
    HB_ASSERT_EQ(tally_words(t), 4);
    HB_ASSERT_EQ(tally_count(t, "to"), 2);
    HB_ASSERT_EQ(tally_count(t, "be"), 2);
    HB_ASSERT_EQ(tally_count(t, "or"), 1);
    HB_ASSERT_EQ(tally_count(t, "not"), 1);
    HB_ASSERT_EQ(tally_count(t, "question"), 0);
    tally_free(t);
}

HB_TEST(test_rejects_empty_and_long_words) {
    tally *t = tally_new();
    HB_ASSERT_NOT_NULL_FATAL(t);
    HB_ASSERT(!tally_add(t, ""));
    HB_ASSERT(!tally_add(t, "sixteen-letters!"));
    HB_ASSERT(tally_add(t, "fifteen-letters"));
    HB_ASSERT_EQ(tally_words(t), 1);
    HB_ASSERT_EQ(tally_count(t, "fifteen-letters"), 1);
    tally_free(t);
}

/* Words that share a beginning are different words. */
HB_TEST(test_a_word_and_its_beginning) {
    tally *t = tally_new();
    HB_ASSERT_NOT_NULL_FATAL(t);
    HB_ASSERT(tally_add(t, "heap"));
    HB_ASSERT(tally_add(t, "heapbook"));
    HB_ASSERT(tally_add(t, "heap"));
    HB_ASSERT_EQ(tally_count(t, "heap"), 2);
    HB_ASSERT_EQ(tally_count(t, "heapbook"), 1);
    HB_ASSERT_EQ(tally_count(t, "he"), 0);
    tally_free(t);
}

/* `words` different words, word n added n % 3 + 1 times, in rounds: every
 * count and the order first seen must come back. */
static void tally_many(unsigned words) {
    tally *t = tally_new();
    HB_ASSERT_NOT_NULL_FATAL(t);
    char word[TALLY_LONGEST_WORD + 1];
    for (unsigned round = 0; round < 3; round++)
        for (unsigned n = 0; n < words; n++)
            if (n % 3 >= round) {
                word_number(n, word);
                HB_ASSERT_EQ_FATAL(tally_add(t, word), true);
            }
    HB_ASSERT_EQ_FATAL(tally_words(t), words);
    for (unsigned n = 0; n < words; n++) {
        word_number(n, word);
        HB_ASSERT_STR_EQ(tally_word(t, n), word);
        HB_ASSERT_EQ(tally_count(t, word), n % 3 + 1);
    }
    tally_free(t);
}

HB_TEST(test_many_words) { tally_many(300); }

static void add_while_memory_runs_out(void) {
    tally *t = tally_new();
    if (t == NULL)
        return;
    char word[TALLY_LONGEST_WORD + 1];
    unsigned added = 0;
    for (unsigned n = 0; n < 20; n++) {
        word_number(n, word);
        if (tally_add(t, word))
            added++;
        else
            HB_ASSERT_EQ(tally_count(t, word), 0);
    }
    HB_ASSERT_EQ(tally_words(t), added);
    tally_free(t);
}

HB_TEST(test_add_copes_when_memory_runs_out) { hb_fail_each_allocation(add_while_memory_runs_out); }

/* ---- memory ---- */

HB_MEMORY_TEST(test_tally_memory, .peak = "24 KiB", .leaks = "0 B", .allocations = "16") {
    tally_many(600);
}

HB_MEMORY_TEST(test_random_tally_memory, .peak = "24 KiB", .leaks = "0 B", .allocations = "16") {
    tally_many((unsigned)hb_random_named("words", 300, 1000));
}
