/* Exercise 17: Memory you asked a library for.  Correctness first, then
 * memory. */
#define HB_SUITE_NAME "17-compressed-logs"
#include "heapbook.h"

#include "archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Channel i's name: "service-i". */
static void channel_name(char *name, size_t size, unsigned i) {
    snprintf(name, size, "service-%u", i);
}

/* Line n of a day's log, as a web service would write it. */
static void log_line(char *line, size_t size, unsigned n) {
    snprintf(line, size, "2026-12-07T%02u:%02u:%02u GET /api/items/%u 200 %u ms", n / 3600 % 24,
             n / 60 % 60, n % 60, n % 97, n % 13 + 1);
}

/* Channel i of a finished archive decompresses to `expected`. */
static void assert_channel(const archive *a, size_t i, const char *expected) {
    size_t length;
    const unsigned char *stream = archive_channel_stream(a, i, &length);
    HB_ASSERT_NOT_NULL_FATAL(stream);
    uLongf text_length = strlen(expected) + 1;
    char *text = malloc(text_length);
    HB_ASSERT_NOT_NULL_FATAL(text);
    int status = uncompress((Bytef *)text, &text_length, stream, (uLong)length);
    HB_ASSERT_EQ(status, Z_OK);
    if (status == Z_OK) {
        HB_ASSERT_EQ(text_length, strlen(expected));
        text[text_length < strlen(expected) ? text_length : strlen(expected)] = '\0';
        HB_ASSERT_STR_EQ(text, expected);
    }
    free(text);
}

HB_TEST(test_one_channel) {
    archive *a = archive_new();
    HB_ASSERT_NOT_NULL_FATAL(a);
    HB_ASSERT(archive_append(a, "web", "GET /"));
    HB_ASSERT(archive_append(a, "web", "GET /about"));
    HB_ASSERT(archive_append(a, "web", ""));
    HB_ASSERT_EQ_FATAL(archive_finish(a), true);
    HB_ASSERT_EQ_FATAL(archive_channels(a), 1);
    HB_ASSERT_STR_EQ(archive_channel_name(a, 0), "web");
    assert_channel(a, 0, "GET /\nGET /about\n\n");
    archive_free(a);
    archive_free(NULL);
}

HB_TEST(test_channels_are_kept_apart) {
    archive *a = archive_new();
    HB_ASSERT_NOT_NULL_FATAL(a);
    HB_ASSERT(archive_append(a, "web", "GET /"));
    HB_ASSERT(archive_append(a, "db", "SELECT 1"));
    HB_ASSERT(archive_append(a, "web", "GET /about"));
    HB_ASSERT(archive_append(a, "cache", "miss"));
    HB_ASSERT(archive_append(a, "db", "SELECT 2"));
    HB_ASSERT_EQ_FATAL(archive_finish(a), true);
    HB_ASSERT_EQ_FATAL(archive_channels(a), 3);
    HB_ASSERT_STR_EQ(archive_channel_name(a, 0), "web");
    HB_ASSERT_STR_EQ(archive_channel_name(a, 1), "db");
    HB_ASSERT_STR_EQ(archive_channel_name(a, 2), "cache");
    assert_channel(a, 0, "GET /\nGET /about\n");
    assert_channel(a, 1, "SELECT 1\nSELECT 2\n");
    assert_channel(a, 2, "miss\n");
    archive_free(a);
}

HB_TEST(test_nothing_after_finish_or_past_the_last_channel) {
    archive *a = archive_new();
    HB_ASSERT_NOT_NULL_FATAL(a);
    char name[32];
    for (unsigned i = 0; i < ARCHIVE_MOST_CHANNELS; i++) {
        channel_name(name, sizeof name, i);
        HB_ASSERT_EQ_FATAL(archive_append(a, name, "up"), true);
    }
    HB_ASSERT(!archive_append(a, "one-too-many", "up"));
    HB_ASSERT(archive_append(a, "service-0", "still up"));
    HB_ASSERT_EQ_FATAL(archive_finish(a), true);
    HB_ASSERT(!archive_append(a, "service-0", "too late"));
    HB_ASSERT_EQ(archive_channels(a), ARCHIVE_MOST_CHANNELS);
    assert_channel(a, 0, "up\nstill up\n");
    archive_free(a);
}

/* A day of one service's log compresses to a small part of its size. */
HB_TEST(test_repeated_lines_compress) {
    archive *a = archive_new();
    HB_ASSERT_NOT_NULL_FATAL(a);
    char line[96];
    size_t raw = 0;
    for (unsigned n = 0; n < 2000; n++) {
        log_line(line, sizeof line, n);
        raw += strlen(line) + 1;
        HB_ASSERT_EQ_FATAL(archive_append(a, "web", line), true);
    }
    HB_ASSERT_EQ_FATAL(archive_finish(a), true);
    size_t length;
    archive_channel_stream(a, 0, &length);
    HB_ASSERT(length * 4 < raw);
    archive_free(a);
}

/* ---- out of memory ---- */

static void archive_while_memory_runs_out(void) {
    archive *a = archive_new();
    if (a == NULL)
        return;
    bool ok = archive_append(a, "web", "GET /") && archive_append(a, "db", "SELECT 1") &&
              archive_append(a, "web", "GET /about") && archive_finish(a);
    if (ok) { /* (its text is checked above: decompressing would allocate) */
        size_t length;
        HB_ASSERT_EQ(archive_channels(a), 2);
        HB_ASSERT_NOT_NULL(archive_channel_stream(a, 1, &length));
        HB_ASSERT(length > 0);
    }
    archive_free(a);
}

HB_TEST(test_archive_copes_when_memory_runs_out) {
    hb_fail_each_allocation(archive_while_memory_runs_out);
}

/* ---- memory ---- */

/* An archive given up before it is finished must still give back
 * everything, what zlib holds included. */
HB_MEMORY_TEST(test_free_before_finish_memory, .leaks = "0 B") {
    archive *a = archive_new();
    HB_ASSERT_NOT_NULL_FATAL(a);
    HB_ASSERT(archive_append(a, "web", "GET /"));
    HB_ASSERT(archive_append(a, "db", "SELECT 1"));
    archive_free(a);
}

/* `channels` services, each writing `lines` lines, interleaved, in one
 * archive: its streams must add up to a small part of the text. */
static void archive_a_day(unsigned channels, unsigned lines) {
    archive *a = archive_new();
    HB_ASSERT_NOT_NULL_FATAL(a);
    char name[32], line[96];
    size_t raw = 0;
    for (unsigned n = 0; n < channels * lines; n++) {
        channel_name(name, sizeof name, n % channels);
        log_line(line, sizeof line, n / channels);
        raw += strlen(line) + 1;
        HB_ASSERT_EQ_FATAL(archive_append(a, name, line), true);
    }
    HB_ASSERT_EQ_FATAL(archive_finish(a), true);
    HB_ASSERT_EQ(archive_channels(a), channels);
    size_t compressed = 0, length;
    for (size_t i = 0; i < archive_channels(a); i++) {
        archive_channel_stream(a, i, &length);
        compressed += length;
    }
    HB_ASSERT(compressed * 2 < raw);
    archive_free(a);
}

HB_MEMORY_TEST(test_day_of_logs_memory, .peak = "1 MiB", .leaks = "0 B") { archive_a_day(40, 200); }

HB_MEMORY_TEST(test_random_day_of_logs_memory, .peak = "1 MiB", .leaks = "0 B") {
    unsigned channels = (unsigned)hb_random_named("channels", 20, ARCHIVE_MOST_CHANNELS);
    archive_a_day(channels, (unsigned)hb_random_named("lines", 100, 300));
}
