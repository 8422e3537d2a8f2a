/* Exercise 14: the log report, a whole program.  Correctness first, module
 * by module and of the whole pipeline, then the whole program's memory. */
#define HB_SUITE_NAME "14-log-report"
#include "heapbook.h"

#include "log_reader.h"
#include "log_report.h"
#include "request.h"
#include "tally.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Ends the test if `condition` does not hold, saying which. */
#define ASSERT_FATAL(condition)                                                                    \
    hb_assert_true(!!(condition), #condition, __FILE__, __LINE__, CU_TRUE)

/* ---- logs in memory ------------------------------------------------------
 * A log the pipeline opens by its path: a file in memory (memfd_create
 * allocates nothing on the heap), named by /proc/self/fd/N.  Opening that
 * path gives a reader of its own, from the start of the file, however often
 * it is opened (hb_fail_each_allocation runs the pipeline many times). */
typedef struct memory_log {
    int fd;
    char path[32];
} memory_log;

static void write_all(int fd, const char *bytes, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        ASSERT_FATAL(written > 0);
        bytes += written;
        length -= (size_t)written;
    }
}

static memory_log log_holding(const char *text) {
    memory_log log = {.fd = memfd_create("access.log", MFD_CLOEXEC)};
    ASSERT_FATAL(log.fd >= 0);
    write_all(log.fd, text, strlen(text));
    snprintf(log.path, sizeof log.path, "/proc/self/fd/%d", log.fd);
    return log;
}

/* ---- the report, kept where the tests can read it -------------------------
 * In static storage, not on the heap: only the program's memory is
 * measured. */
static char report[16384];
static size_t report_length;

static bool keep_report(void *context, const char *bytes, size_t length) {
    (void)context;
    if (length >= sizeof report)
        return false;
    memcpy(report, bytes, length);
    report[length] = '\0';
    report_length = length;
    return true;
}

static bool refuse_report(void *context, const char *bytes, size_t length) {
    (void)context, (void)bytes, (void)length;
    return false;
}

static const report_sink into_report = {.write = keep_report};

/* The line of the report that starts with `start`, without its '\n' (in a
 * static buffer); "" if there is none. */
static const char *report_line(const char *start) {
    static char line[512];
    line[0] = '\0';
    for (const char *at = report; *at != '\0';) {
        size_t length = strcspn(at, "\n");
        if (strncmp(at, start, strlen(start)) == 0) {
            snprintf(line, sizeof line, "%.*s", (int)length, at);
            break;
        }
        at += length + (at[length] == '\n');
    }
    return line;
}

static int report_of(const char *path) {
    report[0] = '\0';
    report_length = 0;
    return log_report(path, &into_report);
}

/* ---- text ------------------------------------------------------------------ */

HB_TEST(test_text_appends_and_prints) {
    text t = {0};
    ASSERT_FATAL(text_append(&t, "GET ", 4));
    ASSERT_FATAL(text_printf(&t, "%s %d", "/cart", 200));
    HB_ASSERT_STR_EQ(t.bytes, "GET /cart 200");
    HB_ASSERT_EQ(t.length, 13);
    HB_ASSERT(t.capacity > t.length);
    text_clear(&t);
    HB_ASSERT_STR_EQ(t.bytes, "");
    ASSERT_FATAL(text_append(&t, "", 0));
    HB_ASSERT_STR_EQ(t.bytes, "");
    text_free(&t);
    HB_ASSERT_NULL(t.bytes);
    char *copy = text_copy("www.google.com/search", 14);
    HB_ASSERT_STR_EQ(copy, "www.google.com");
    free(copy);
}

/* ---- the reader -------------------------------------------------------------- */

/* Every line of `text`, read through a log_reader, joined with '|'. */
static const char *lines_read(const char *text) {
    static char joined[64];
    memory_log log = log_holding(text);
    lseek(log.fd, 0, SEEK_SET);
    log_reader reader;
    log_reader_init(&reader, log.fd);
    const char *line;
    size_t length, used = 0;
    joined[0] = '\0';
    while (log_reader_next(&reader, &line, &length) > 0)
        used += (size_t)snprintf(joined + used, sizeof joined - used, "%s%.*s", used ? "|" : "",
                                 (int)length, line);
    log_reader_free(&reader);
    close(log.fd);
    return joined;
}

HB_TEST(test_reader_splits_lines) {
    HB_ASSERT_STR_EQ(lines_read(""), "");
    HB_ASSERT_STR_EQ(lines_read("one\ntwo\n"), "one|two");
    HB_ASSERT_STR_EQ(lines_read("one\n\nthree"), "one||three");
    HB_ASSERT_STR_EQ(lines_read("\n"), "");
}

/* Lines longer than a read, and lines that straddle two reads. */
HB_TEST(test_reader_long_lines) {
    enum { LONG_LINE = 3 * LOG_READ_SIZE + 7, LINES = 3 };
    static char text[LINES * (LONG_LINE + 1) + 1];
    for (size_t line = 0; line < LINES; line++) {
        memset(text + line * (LONG_LINE + 1), 'a' + (int)line, LONG_LINE);
        text[line * (LONG_LINE + 1) + LONG_LINE] = '\n';
    }
    memory_log log = log_holding(text);
    lseek(log.fd, 0, SEEK_SET);
    log_reader reader;
    log_reader_init(&reader, log.fd);
    const char *line;
    size_t length;
    for (size_t i = 0; i < LINES; i++) {
        HB_ASSERT_EQ_FATAL(log_reader_next(&reader, &line, &length), 1);
        HB_ASSERT_EQ(length, LONG_LINE);
        HB_ASSERT(line[0] == 'a' + (int)i && line[LONG_LINE - 1] == 'a' + (int)i);
    }
    HB_ASSERT_EQ(log_reader_next(&reader, &line, &length), 0);
    log_reader_free(&reader);
    close(log.fd);
}

/* ---- a request ------------------------------------------------------------------ */

#define SAMPLE_LINE                                                                                \
    "203.0.113.7 - alice [12/Mar/2025:20:14:02 +0000] \"GET /search?q=boots HTTP/1.1\" 200 "       \
    "11110 \"https://www.google.com/\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0\" 1.250"

HB_TEST(test_parse_a_request) {
    request r;
    HB_ASSERT_EQ_FATAL(request_parse(SAMPLE_LINE, strlen(SAMPLE_LINE), &r), REQUEST_PARSED);
    HB_ASSERT_STR_EQ(r.client, "203.0.113.7");
    HB_ASSERT_STR_EQ(r.time, "12/Mar/2025:20:14:02 +0000");
    HB_ASSERT_STR_EQ(r.method, "GET");
    HB_ASSERT_STR_EQ(r.page, "/search");
    HB_ASSERT_STR_EQ(r.referrer, "https://www.google.com/");
    HB_ASSERT_STR_EQ(r.agent, "Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0");
    HB_ASSERT_EQ(r.status, 200);
    HB_ASSERT_EQ(r.bytes, 11110);
    HB_ASSERT_EQ(r.ms, 1250);
    HB_ASSERT_EQ(request_hour(&r), 20);
    request_free(&r);
}

/* Only `length` bytes are the line: a parser that reads on finds a valid
 * request time in what follows. */
HB_TEST(test_parse_stops_at_the_length) {
    request r;
    HB_ASSERT_EQ(request_parse(SAMPLE_LINE, strlen(SAMPLE_LINE) - 4, &r), REQUEST_MALFORMED);
    static const char no_bytes[] = "192.0.2.1 - - [12/Mar/2025:00:00:01 +0000] \"HEAD / HTTP/1.0\" "
                                   "304 - \"-\" \"-\" 0.000";
    HB_ASSERT_EQ_FATAL(request_parse(no_bytes, strlen(no_bytes), &r), REQUEST_PARSED);
    HB_ASSERT_EQ(r.bytes, 0);
    HB_ASSERT_STR_EQ(r.page, "/");
    HB_ASSERT_EQ(request_hour(&r), 0);
    request_free(&r);
}

HB_TEST(test_parse_refuses_what_is_not_a_request) {
    static const char *const lines[] = {
        "",
        "junk",
        /* cut short, as when the disk filled up */
        "198.51.100.111 - - [12/Mar/2025:19:27:38 +0000] \"GET / HTTP/2",
        /* a TLS handshake sent to the plain HTTP port */
        "203.0.113.97 - - [12/Mar/2025:13:30:55 +0000] \"\\x16\\x03\\x01\\x00\" 400 157 \"-\" "
        "\"-\" 0.001",
        "192.0.2.1 - - [12/Mar/2025:25:00:01 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" 0.001",
        "192.0.2.1 - - [12/Mar/2025:10:00:01 +0000] \"GET / HTTP/1.1\" 2000 1 \"-\" \"-\" 0.001",
        "192.0.2.1 - - [12/Mar/2025:10:00:01 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" 1",
        "192.0.2.1 - - [12/Mar/2025:10:00:01 +0000] \"GET index.html HTTP/1.1\" 200 1 \"-\" \"-\" "
        "0.001",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        request r;
        HB_ASSERT_EQ(request_parse(lines[i], strlen(lines[i]), &r), REQUEST_MALFORMED);
    }
}

/* ---- the tally -------------------------------------------------------------------- */

HB_TEST(test_browsers) {
    HB_ASSERT_EQ(browser_of("Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/122.0 Safari/537.36"),
                 BROWSER_CHROME);
    HB_ASSERT_EQ(browser_of("Mozilla/5.0 (X11) Chrome/122.0 Safari/537.36 Edg/122.0.2365.66"),
                 BROWSER_EDGE);
    HB_ASSERT_EQ(browser_of("Mozilla/5.0 (iPhone) Version/17.3.1 Mobile/15E148 Safari/604.1"),
                 BROWSER_SAFARI);
    HB_ASSERT_EQ(browser_of("Mozilla/5.0 (X11; rv:123.0) Gecko/20100101 Firefox/123.0"),
                 BROWSER_FIREFOX);
    HB_ASSERT_EQ(browser_of("Mozilla/5.0 (compatible; Googlebot/2.1; Chrome/122.0)"), BROWSER_BOT);
    HB_ASSERT_EQ(browser_of("curl/7.88.1"), BROWSER_BOT);
    HB_ASSERT_EQ(browser_of("-"), BROWSER_OTHER);
    HB_ASSERT_STR_EQ(browser_name(BROWSER_BOT), "bots");
}

/* Counts a request made of these fields; the tally copies what it keeps, so
 * the request is freed at once. */
static void add(tally *t, const char *client, const char *page, int status, unsigned long bytes,
                unsigned long ms) {
    char line[256];
    snprintf(line, sizeof line,
             "%s - - [12/Mar/2025:09:00:00 +0000] \"GET %s HTTP/1.1\" %d %lu \"-\" \"-\" %lu.%03lu",
             client, page, status, bytes, ms / 1000, ms % 1000);
    request r;
    HB_ASSERT_EQ_FATAL(request_parse(line, strlen(line), &r), REQUEST_PARSED);
    ASSERT_FATAL(tally_add(t, &r));
    request_free(&r);
}

HB_TEST(test_tally_counts_and_ranks) {
    tally t;
    tally_init(&t);
    add(&t, "192.0.2.1", "/b", 200, 10, 5);
    add(&t, "192.0.2.2", "/a", 404, 3000, 50);
    add(&t, "192.0.2.1", "/b", 500, 20, 7);
    add(&t, "192.0.2.3", "/a", 200, 40, 1);
    add(&t, "192.0.2.3", "/c", 200, 50, 2);
    HB_ASSERT_EQ(t.requests, 5);
    HB_ASSERT_EQ(t.statuses[2], 3);
    HB_ASSERT_EQ(t.statuses[4], 1);
    HB_ASSERT_EQ(t.statuses[5], 1);
    HB_ASSERT_EQ(t.bytes, 3120);
    HB_ASSERT_EQ(t.hours[9], 5);
    HB_ASSERT_EQ(t.pages.count, 3);
    HB_ASSERT_EQ(t.sites.count, 0);
    HB_ASSERT_EQ(t.slowest_ms, 50);

    const tally_entry *top[2];
    HB_ASSERT_EQ_FATAL(tally_top(&t.pages, BY_REQUESTS, 2, top), 2);
    HB_ASSERT_STR_EQ(top[0]->key, "/a"); /* 2 requests, as /b: ties go by key */
    HB_ASSERT_EQ(top[0]->errors, 1);
    HB_ASSERT_EQ(top[0]->total_ms, 51);
    HB_ASSERT_EQ(top[0]->max_ms, 50);
    HB_ASSERT_STR_EQ(top[1]->key, "/b");
    HB_ASSERT_EQ_FATAL(tally_top(&t.clients, BY_BYTES, 2, top), 2);
    HB_ASSERT_STR_EQ(top[0]->key, "192.0.2.2");
    HB_ASSERT_STR_EQ(top[1]->key, "192.0.2.3");
    tally_free(&t);
}

/* Past the first table's size, so that the tables grow. */
HB_TEST(test_tally_of_many_pages) {
    tally t;
    tally_init(&t);
    char page[32];
    for (unsigned i = 0; i < 500; i++) {
        snprintf(page, sizeof page, "/products/%u", i % 200);
        add(&t, "192.0.2.9", page, 200, i, i % 97);
    }
    HB_ASSERT_EQ(t.pages.count, 200);
    HB_ASSERT_EQ(t.clients.count, 1);
    const tally_entry *top[3];
    HB_ASSERT_EQ_FATAL(tally_top(&t.pages, BY_REQUESTS, 3, top), 3);
    HB_ASSERT_STR_EQ(top[0]->key, "/products/0"); /* 3 requests each: 0 to 99 */
    HB_ASSERT_STR_EQ(top[1]->key, "/products/1");
    HB_ASSERT_STR_EQ(top[2]->key, "/products/10");
    HB_ASSERT_EQ(top[2]->requests, 3);
    tally_free(&t);
}

/* ---- the whole program -------------------------------------------------------------- */

static const char small_log[] =
    "192.0.2.1 - - [12/Mar/2025:09:00:01 +0000] \"GET / HTTP/1.1\" 200 1000 \"-\" "
    "\"Mozilla/5.0 (X11; Linux x86_64) Chrome/122.0 Safari/537.36\" 0.010\n"
    "192.0.2.2 - - [12/Mar/2025:09:10:00 +0000] \"GET /products/7?ref=mail HTTP/1.1\" 200 5000 "
    "\"https://www.google.com/search\" \"Mozilla/5.0 (iPhone) Version/17.3 Mobile Safari/604.1\" "
    "0.120\n"
    "not a request\n"
    "192.0.2.1 - - [12/Mar/2025:10:00:00 +0000] \"POST /checkout HTTP/1.1\" 502 0 "
    "\"https://shop.example.com/cart\" \"Mozilla/5.0 (X11; Linux x86_64) Chrome/122.0 "
    "Safari/537.36\" 2.500\n"
    "66.249.66.1 - - [12/Mar/2025:10:30:00 +0000] \"GET /products/7 HTTP/1.1\" 404 512 \"-\" "
    "\"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\" 0.005\n"
    "192.0.2.2 - bob [12/Mar/2025:10:45:00 +0000] \"GET / HTTP/2.0\" 304 - "
    "\"https://shop.example.com/\" \"Mozilla/5.0 (Windows NT 10.0; rv:123.0) Gecko/20100101 "
    "Firefox/123.0\" 0.002";

static const char small_report[] =
    "Requests: 5 (1 lines not understood, skipped)\n"
    "From 12/Mar/2025:09:00:01 +0000 to 12/Mar/2025:10:45:00 +0000\n"
    "Status: 2xx 2 (40.0%), 3xx 1 (20.0%), 4xx 1 (20.0%), 5xx 1 (20.0%)\n"
    "Sent: 6,512 bytes\n"
    "Busiest hour: 10:00-11:00, 3 requests\n"
    "Slowest: 2.500 s, POST /checkout at 12/Mar/2025:10:00:00 +0000 from 192.0.2.1\n"
    "Browsers: Chrome 40.0%, Safari 20.0%, Firefox 20.0%, Edge 0.0%, bots 20.0%, other 0.0%\n"
    "\n"
    "Top 3 of 3 pages, by requests:\n"
    "  requests  errors  avg ms  max ms  page\n"
    "         2       0       6      10  /\n"
    "         2       1      62     120  /products/7\n"
    "         1       1    2500    2500  /checkout\n"
    "\n"
    "Top 3 of 3 clients, by bytes sent:\n"
    "  requests         bytes  client\n"
    "         2          5000  192.0.2.2\n"
    "         2          1000  192.0.2.1\n"
    "         1           512  66.249.66.1\n"
    "\n"
    "Top 2 of 2 referring sites, by requests:\n"
    "  requests  site\n"
    "         2  shop.example.com\n"
    "         1  www.google.com\n";

HB_TEST(test_report_of_a_small_log) {
    memory_log log = log_holding(small_log);
    HB_ASSERT_EQ_FATAL(report_of(log.path), 0);
    char expected[sizeof small_report + 64];
    snprintf(expected, sizeof expected, "Access log: %s\n%s", log.path, small_report);
    HB_ASSERT_STR_EQ(report, expected);
    close(log.fd);
}

HB_TEST(test_report_of_an_empty_log) {
    memory_log log = log_holding("");
    HB_ASSERT_EQ_FATAL(report_of(log.path), 0);
    HB_ASSERT_STR_EQ(report_line("Requests:"), "Requests: 0 (0 lines not understood, skipped)");
    HB_ASSERT_STR_EQ(report_line("Top"), "");
    close(log.fd);
}

/* A log that cannot be read is an error, and no report. */
HB_TEST(test_unreadable_logs) {
    HB_ASSERT_EQ(report_of("exercises/14-log-report/no-such.log"), ENOENT);
    HB_ASSERT_EQ(report_of("exercises/14-log-report"), EISDIR);
    HB_ASSERT_EQ(report_length, 0);
    memory_log log = log_holding(small_log);
    HB_ASSERT_EQ(log_report(log.path, &(report_sink){.write = refuse_report}), EIO);
    close(log.fd);
}

static memory_log failing_log;

/* The small log's report, whichever allocation fails: nothing may leak. */
static void report_until_memory_runs_out(void) {
    int error = report_of(failing_log.path);
    HB_ASSERT(error == 0 || error == ENOMEM);
}

HB_TEST(test_report_copes_when_memory_runs_out) {
    failing_log = log_holding(small_log);
    hb_fail_each_allocation(report_until_memory_runs_out);
    close(failing_log.fd);
}

/* What the report says of the log that comes with the exercise, checked
 * by hand (and by awk) against the log. */
static void assert_sample_report(void) {
    HB_ASSERT_STR_EQ(report_line("Requests:"), "Requests: 718 (3 lines not understood, skipped)");
    HB_ASSERT_STR_EQ(report_line("Sent:"), "Sent: 18,316,228 bytes");
    HB_ASSERT_STR_EQ(report_line("Busiest hour:"), "Busiest hour: 20:00-21:00, 86 requests");
    HB_ASSERT_STR_EQ(report_line("Top 10"), "Top 10 of 131 pages, by requests:");
    HB_ASSERT_STR_EQ(report_line("       110"), "       110       0      21      39  /");
}

HB_TEST(test_report_of_the_sample_log) {
    HB_ASSERT_EQ_FATAL(report_of(SAMPLE_ACCESS_LOG), 0);
    assert_sample_report();
    HB_ASSERT_STR_EQ(report_line("Slowest:"), "Slowest: 3.781 s, POST /checkout at "
                                              "12/Mar/2025:14:52:50 +0000 from 2001:db8:250::d6");
    HB_ASSERT_STR_EQ(report_line("Top 5 of 141"), "Top 5 of 141 clients, by bytes sent:");
}

/* ---- the whole program's memory ------------------------------------------------------- */

/* The whole program on the log that comes with the exercise: reading,
 * counting and the report.  A report of a log needs what it counts (the
 * pages, clients and sites it has seen) and the rows it writes: not the
 * log's requests, nor a row for every entry it counted. */
HB_MEMORY_TEST(test_access_log_memory, .peak = "48 KiB", .leaks = "0 B") {
    HB_ASSERT_EQ_FATAL(report_of(SAMPLE_ACCESS_LOG), 0);
    assert_sample_report();
}

/* ---- a log made up for this run --------------------------------------------------------- */

/* What the report must say of it, counted while it is written. */
typedef struct log_facts {
    unsigned long requests, skipped, statuses[6], hours[24];
    unsigned long long bytes;
    unsigned long home_requests, home_errors, home_total_ms, home_max_ms;
} log_facts;

static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};
static const char *const referrers[] = {"-", "https://www.google.com/", "https://duckduckgo.com/",
                                        "https://shop.example.com/cart"};
static const char *const other_pages[] = {"/cart", "/search?q=boots", "/api/cart", "/login",
                                          "/static/js/app.js"};
#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* Writes line `number` of `lines` into `fd`: a request at a time of the day
 * that grows with the number, or now and then a line of junk. */
static void write_random_line(int fd, unsigned long number, unsigned long lines, log_facts *facts) {
    char line[512], page[32];
    if (hb_random_named("junk line?", 0, 99) == 0) {
        write_all(fd, "GET / HTTP/1.1\n", 15);
        facts->skipped++;
        return;
    }
    unsigned long seconds = number * 86400 / lines, ms = hb_random_named("ms", 0, 3000),
                  bytes = hb_random_named("bytes", 0, 250000);
    int status = (int)hb_random_named("status", 1, 100);
    status = status <= 85 ? 200 : status <= 92 ? 304 : status <= 98 ? 404 : 503;
    bool home = hb_random_named("home page?", 0, 2) == 0;
    if (home)
        strcpy(page, "/");
    else if (hb_random_named("product?", 0, 1) == 0)
        snprintf(page, sizeof page, "/products/%llu", hb_random_named("product", 1001, 1080));
    else
        strcpy(page, other_pages[hb_random_named("page", 0, COUNT_OF(other_pages) - 1)]);
    int length = snprintf(
        line, sizeof line,
        "198.51.100.%llu - - [12/Mar/2025:%02lu:%02lu:%02lu +0000] \"GET %s "
        "HTTP/1.1\" %d %lu \"%s\" \"%s\" %lu.%03lu\n",
        hb_random_named("client", 1, 120), seconds / 3600, seconds / 60 % 60, seconds % 60, page,
        status, bytes, referrers[hb_random_named("referrer", 0, COUNT_OF(referrers) - 1)],
        agents[hb_random_named("agent", 0, COUNT_OF(agents) - 1)], ms / 1000, ms % 1000);
    write_all(fd, line, (size_t)length);
    facts->requests++;
    facts->statuses[status / 100]++;
    facts->hours[seconds / 3600]++;
    facts->bytes += bytes;
    if (home) {
        facts->home_requests++;
        facts->home_errors += status >= 400;
        facts->home_total_ms += ms;
        if (ms > facts->home_max_ms)
            facts->home_max_ms = ms;
    }
}

/* 48211003 as "48,211,003", worked out here. */
static const char *grouped(unsigned long long number) {
    static char digits[32], out[48];
    int length = snprintf(digits, sizeof digits, "%llu", number), used = 0;
    for (int i = 0; i < length; i++) {
        if (i > 0 && (length - i) % 3 == 0)
            out[used++] = ',';
        out[used++] = digits[i];
    }
    out[used] = '\0';
    return out;
}

static void assert_report_says(const log_facts *facts) {
    char expected[256];
    snprintf(expected, sizeof expected, "Requests: %lu (%lu lines not understood, skipped)",
             facts->requests, facts->skipped);
    HB_ASSERT_STR_EQ(report_line("Requests:"), expected);
    int length = snprintf(expected, sizeof expected, "Status:");
    static const char *const classes[] = {"2xx", "3xx", "4xx", "5xx"};
    for (int i = 0; i < 4; i++)
        length +=
            snprintf(expected + length, sizeof expected - (size_t)length, "%s %s %lu (%.1f%%)",
                     i == 0 ? "" : ",", classes[i], facts->statuses[i + 2],
                     100.0 * (double)facts->statuses[i + 2] / (double)facts->requests);
    HB_ASSERT_STR_EQ(report_line("Status:"), expected);
    snprintf(expected, sizeof expected, "Sent: %s bytes", grouped(facts->bytes));
    HB_ASSERT_STR_EQ(report_line("Sent:"), expected);
    int busiest = 0;
    for (int hour = 1; hour < 24; hour++)
        if (facts->hours[hour] > facts->hours[busiest])
            busiest = hour;
    snprintf(expected, sizeof expected, "Busiest hour: %02d:00-%02d:00, %lu requests", busiest,
             (busiest + 1) % 24, facts->hours[busiest]);
    HB_ASSERT_STR_EQ(report_line("Busiest hour:"), expected);
    /* A third of the requests are for "/": it tops the pages. */
    snprintf(expected, sizeof expected, "  %8lu  %6lu  %6lu  %6lu  /", facts->home_requests,
             facts->home_errors, facts->home_total_ms / facts->home_requests, facts->home_max_ms);
    char start[16];
    snprintf(start, sizeof start, "  %8lu", facts->home_requests);
    HB_ASSERT_STR_EQ(report_line(start), expected);
}

/* From 1500 to 3000 lines (one in a hundred not a request), from 120
 * clients for about 90 pages: two to four times the sample log's requests,
 * but no more pages or clients, so a program that keeps what it counts
 * needs no more memory for it. */
HB_MEMORY_TEST(test_random_log_memory, .peak = "48 KiB", .leaks = "0 B") {
    unsigned long lines = hb_random_named("log lines", 1500, 3000);
    log_facts facts = {0};
    memory_log log = {.fd = memfd_create("random.log", MFD_CLOEXEC)};
    ASSERT_FATAL(log.fd >= 0);
    for (unsigned long i = 0; i < lines; i++)
        write_random_line(log.fd, i, lines, &facts);
    snprintf(log.path, sizeof log.path, "/proc/self/fd/%d", log.fd);
    HB_ASSERT_EQ_FATAL(report_of(log.path), 0);
    assert_report_says(&facts);
    close(log.fd);
}
