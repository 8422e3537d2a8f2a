/* Exercise 09: Strings without copies.  Correctness first, then memory. */
#define HB_SUITE_NAME "09-string-views"
#include "heapbook.h"

#include "line_index.h"
#include "sample_log.h"

#include <stdio.h>
#include <string.h>

/* The view as a string (its first 127 bytes), so that a wrong one shows. */
enum { VIEW_TEXT = 128 };
static const char *view_text(text_view view, char text[VIEW_TEXT]) {
    snprintf(text, VIEW_TEXT, "%.*s", view.length < VIEW_TEXT ? (int)view.length : VIEW_TEXT,
             view.start);
    return text;
}

/* The view holds exactly `expected` (a string of fewer than 128 bytes). */
#define ASSERT_VIEW_IS(view, expected)                                                             \
    do {                                                                                           \
        char view_text_[VIEW_TEXT];                                                                \
        HB_ASSERT_STR_EQ(view_text(view, view_text_), expected);                                   \
    } while (0)

HB_TEST(test_empty_text_has_no_lines) {
    line_index *index = index_lines("", 0);
    HB_ASSERT_NOT_NULL_FATAL(index);
    HB_ASSERT_EQ(line_count(index), 0);
    HB_ASSERT_EQ(count_lines_starting_with(index, ""), 0);
    line_index_free(index);
    line_index_free(NULL);
}

HB_TEST(test_lines_split_at_newlines) {
    const char *text = "alpha\nbeta\n\ngamma";
    line_index *index = index_lines(text, strlen(text));
    HB_ASSERT_NOT_NULL_FATAL(index);
    HB_ASSERT_EQ_FATAL(line_count(index), 4);
    ASSERT_VIEW_IS(line_at(index, 0), "alpha");
    ASSERT_VIEW_IS(line_at(index, 1), "beta");
    ASSERT_VIEW_IS(line_at(index, 2), "");
    ASSERT_VIEW_IS(line_at(index, 3), "gamma");
    line_index_free(index);
}

HB_TEST(test_final_newline_ends_the_last_line) {
    const char *text = "one\ntwo\n";
    line_index *index = index_lines(text, strlen(text));
    HB_ASSERT_NOT_NULL_FATAL(index);
    HB_ASSERT_EQ_FATAL(line_count(index), 2);
    ASSERT_VIEW_IS(line_at(index, 1), "two");
    line_index_free(index);
}

/* Only `length` bytes are the text: what follows them is not. */
HB_TEST(test_nothing_read_past_the_length) {
    line_index *index = index_lines("abc\ndef\n", 5);
    HB_ASSERT_NOT_NULL_FATAL(index);
    HB_ASSERT_EQ_FATAL(line_count(index), 2);
    ASSERT_VIEW_IS(line_at(index, 0), "abc");
    ASSERT_VIEW_IS(line_at(index, 1), "d");
    line_index_free(index);
}

HB_TEST(test_count_lines_by_prefix) {
    const char *text = "ERROR disk full\nERR\nERRORS: 2\nINFO started\nab\nabc\n";
    line_index *index = index_lines(text, strlen(text));
    HB_ASSERT_NOT_NULL_FATAL(index);
    HB_ASSERT_EQ(count_lines_starting_with(index, ""), 6);
    HB_ASSERT_EQ(count_lines_starting_with(index, "ERR"), 3);
    HB_ASSERT_EQ(count_lines_starting_with(index, "ERROR"), 2);
    HB_ASSERT_EQ(count_lines_starting_with(index, "ERROR "), 1);
    HB_ASSERT_EQ(count_lines_starting_with(index, "ERROR disk full and more"), 0);
    HB_ASSERT_EQ(count_lines_starting_with(index, "WARN"), 0);
    /* No line holds a '\n': a comparison that runs past the end of "ab"
     * into the next line would wrongly count it. */
    HB_ASSERT_EQ(count_lines_starting_with(index, "ab\na"), 0);
    line_index_free(index);
}

HB_TEST(test_sample_log_lines) {
    size_t length;
    const char *log = sample_log(&length);
    line_index *index = index_lines(log, length);
    HB_ASSERT_NOT_NULL_FATAL(index);
    HB_ASSERT_EQ_FATAL(line_count(index), SAMPLE_LOG_LINES);
    ASSERT_VIEW_IS(line_at(index, 0),
                   "INFO 000000 http: retrying after a timeout talking to the upstream service");
    ASSERT_VIEW_IS(line_at(index, 3),
                   "ERROR 000003 db: job finished, next run scheduled in 300 seconds");
    ASSERT_VIEW_IS(line_at(index, 3999), "INFO 003999 http: cache miss for key "
                                         "user:profile, loading it from the database");
    HB_ASSERT_EQ(count_lines_starting_with(index, "WARN "), 800);
    HB_ASSERT_EQ(count_lines_starting_with(index, "INFO 0039"), 70);
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
        HB_ASSERT_EQ(line_count(index), 40);
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
    HB_ASSERT_NOT_NULL_FATAL(index);
    HB_ASSERT_EQ(line_count(index), SAMPLE_LOG_LINES);
    HB_ASSERT_EQ(count_lines_starting_with(index, "ERROR "), 400);
    ASSERT_VIEW_IS(line_at(index, 1),
                   "WARN 000001 db: slow query: SELECT * FROM orders WHERE status = 'open'");
    line_index_free(index);
}

/* Where line `number` of the text starts, found here by scanning it. */
static const char *line_start(const char *text, size_t number) {
    for (; number > 0; number--)
        text = strchr(text, '\n') + 1;
    return text;
}

/* How many lines of text[0..length) begin with `prefix`, counted here. */
static size_t reference_count(const char *text, size_t length, const char *prefix) {
    size_t count = 0, prefix_length = strlen(prefix);
    for (const char *line = text, *end = text + length; line < end;
         line = (const char *)memchr(line, '\n', (size_t)(end - line)) + 1)
        count += strncmp(line, prefix, prefix_length) == 0;
    return count;
}

/* The sample log from a line drawn for this run, the 0th to the 1500th:
 * from 2500 to 4000 lines, at least 173,792 bytes (169.7 KiB) of text, so a
 * copy of it cannot fit in 128 KiB either. */
HB_MEMORY_TEST(test_random_start_memory, .peak = "128 KiB", .allocations = "100", .leaks = "0 B") {
    size_t length, first = hb_random_named("first line", 0, 1500);
    const char *log = sample_log(&length);
    const char *text = line_start(log, first);
    length -= (size_t)(text - log);
    line_index *index = index_lines(text, length);
    HB_ASSERT_NOT_NULL_FATAL(index);
    HB_ASSERT_EQ_FATAL(line_count(index), SAMPLE_LOG_LINES - first);
    static const char *const prefixes[] = {"ERROR ", "WARN ", "INFO ", "INFO 0025"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        HB_ASSERT_EQ(count_lines_starting_with(index, prefixes[i]),
                     reference_count(text, length, prefixes[i]));
    size_t number = hb_random_named("line", 0, SAMPLE_LOG_LINES - first - 1);
    const char *start = line_start(text, number);
    char expected[VIEW_TEXT];
    snprintf(expected, sizeof expected, "%.*s", (int)(strchr(start, '\n') - start), start);
    ASSERT_VIEW_IS(line_at(index, number), expected);
    line_index_free(index);
}
