/* Exercise 09: Strings without copies.  Correctness first, then memory. */
#define HB_SUITE_NAME "09-string-views"
#include "heapbook.h"

#include "line_index.h"
#include "sample_log.h"

#include <string.h>

/* Does the view hold exactly the NUL-terminated `expected`? */
static int view_is(text_view view, const char *expected) {
    size_t length = strlen(expected);
    return view.length == length && memcmp(view.start, expected, length) == 0;
}

HB_TEST(test_empty_text_has_no_lines) {
    line_index *index = index_lines("", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(index);
    CU_ASSERT_EQUAL(line_count(index), 0);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, ""), 0);
    line_index_free(index);
    line_index_free(NULL);
}

HB_TEST(test_lines_split_at_newlines) {
    const char *text = "alpha\nbeta\n\ngamma";
    line_index *index = index_lines(text, strlen(text));
    CU_ASSERT_PTR_NOT_NULL_FATAL(index);
    CU_ASSERT_EQUAL_FATAL(line_count(index), 4);
    CU_ASSERT_TRUE(view_is(line_at(index, 0), "alpha"));
    CU_ASSERT_TRUE(view_is(line_at(index, 1), "beta"));
    CU_ASSERT_TRUE(view_is(line_at(index, 2), ""));
    CU_ASSERT_TRUE(view_is(line_at(index, 3), "gamma"));
    line_index_free(index);
}

HB_TEST(test_final_newline_ends_the_last_line) {
    const char *text = "one\ntwo\n";
    line_index *index = index_lines(text, strlen(text));
    CU_ASSERT_PTR_NOT_NULL_FATAL(index);
    CU_ASSERT_EQUAL_FATAL(line_count(index), 2);
    CU_ASSERT_TRUE(view_is(line_at(index, 1), "two"));
    line_index_free(index);
}

/* Only `length` bytes are the text: what follows them is not. */
HB_TEST(test_nothing_read_past_the_length) {
    line_index *index = index_lines("abc\ndef\n", 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(index);
    CU_ASSERT_EQUAL_FATAL(line_count(index), 2);
    CU_ASSERT_TRUE(view_is(line_at(index, 0), "abc"));
    CU_ASSERT_TRUE(view_is(line_at(index, 1), "d"));
    line_index_free(index);
}

HB_TEST(test_count_lines_by_prefix) {
    const char *text = "ERROR disk full\nERR\nERRORS: 2\nINFO started\nab\nabc\n";
    line_index *index = index_lines(text, strlen(text));
    CU_ASSERT_PTR_NOT_NULL_FATAL(index);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, ""), 6);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "ERR"), 3);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "ERROR"), 2);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "ERROR "), 1);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "ERROR disk full and more"), 0);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "WARN"), 0);
    /* No line holds a '\n': a comparison that runs past the end of "ab"
     * into the next line would wrongly count it. */
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "ab\na"), 0);
    line_index_free(index);
}

HB_TEST(test_sample_log_lines) {
    size_t length;
    const char *log = sample_log(&length);
    line_index *index = index_lines(log, length);
    CU_ASSERT_PTR_NOT_NULL_FATAL(index);
    CU_ASSERT_EQUAL_FATAL(line_count(index), SAMPLE_LOG_LINES);
    CU_ASSERT_TRUE(
        view_is(line_at(index, 0),
                "INFO 000000 http: retrying after a timeout talking to the upstream service"));
    CU_ASSERT_TRUE(view_is(line_at(index, 3),
                           "ERROR 000003 db: job finished, next run scheduled in 300 seconds"));
    CU_ASSERT_TRUE(view_is(line_at(index, 3999), "INFO 003999 http: cache miss for key "
                                                 "user:profile, loading it from the database"));
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "WARN "), 800);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "INFO 0039"), 70);
    line_index_free(index);
}

/* Indexes 40 lines, whatever allocation fails: nothing may leak. */
static void index_until_memory_runs_out(void) {
    static const char text[] = "line\nline\nline\nline\nline\nline\nline\nline\nline\nline\n"
                               "line\nline\nline\nline\nline\nline\nline\nline\nline\nline\n"
                               "line\nline\nline\nline\nline\nline\nline\nline\nline\nline\n"
                               "line\nline\nline\nline\nline\nline\nline\nline\nline\nline\n";
    line_index *index = index_lines(text, sizeof text - 1);
    if (index != NULL)
        CU_ASSERT_EQUAL(line_count(index), 40);
    line_index_free(index);
}

HB_TEST(test_index_copes_when_memory_runs_out) {
    hb_fail_each_allocation(index_until_memory_runs_out);
}

/* 4000 lines, about 270 KB of text.  An index needs to know where each line
 * is, not a second copy of it. */
HB_MEMORY_TEST(test_log_memory, .peak = "128 KiB", .allocations = "100", .leaks = "0 B") {
    size_t length;
    const char *log = sample_log(&length);
    line_index *index = index_lines(log, length);
    CU_ASSERT_PTR_NOT_NULL_FATAL(index);
    CU_ASSERT_EQUAL(line_count(index), SAMPLE_LOG_LINES);
    CU_ASSERT_EQUAL(count_lines_starting_with(index, "ERROR "), 400);
    CU_ASSERT_TRUE(
        view_is(line_at(index, 1),
                "WARN 000001 db: slow query: SELECT * FROM orders WHERE status = 'open'"));
    line_index_free(index);
}
