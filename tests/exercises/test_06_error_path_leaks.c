/* Exercise 06: Leaks on the error path.  Correctness first, then memory:
 * every malformed text, and every allocation that fails, must leave nothing
 * allocated. */
#define HB_SUITE_NAME "06-error-path-leaks"
#include "heapbook.h"

#include "config.h"

#include <stdarg.h>
#include <stdio.h>

static void assert_entry(const config *cfg, size_t i, const char *key, const char *value) {
    HB_ASSERT_EQ_FATAL(i < cfg->count, true);
    HB_ASSERT_STR_EQ(cfg->entries[i].key, key);
    HB_ASSERT_STR_EQ(cfg->entries[i].value, value);
}

/* Parses `text`, which must be malformed, and checks the error, the line and
 * that *out was left empty. */
static void assert_rejected(const char *text, config_error expected, size_t expected_line) {
    static config_entry stale;
    config cfg = {&stale, 1}; /* not empty: the parser must empty it */
    size_t line;
    HB_ASSERT_EQ(config_parse(text, &cfg, &line), expected);
    HB_ASSERT_EQ(line, expected_line);
    HB_ASSERT_NULL(cfg.entries);
    HB_ASSERT_EQ(cfg.count, 0);
}

HB_TEST(test_entries_in_order) {
    const char *text = "# heapbook\n"
                       "name = heapbook\n"
                       "\n"
                       "\tversion=6  \n"
                       "   # indented comment\n"
                       "url = https://example.org/?a=b\n"
                       "empty =\n"
                       "log.level-2 = debug";
    config cfg;
    size_t line;
    HB_ASSERT_EQ_FATAL(config_parse(text, &cfg, &line), CONFIG_OK);
    HB_ASSERT_EQ(line, 8);
    HB_ASSERT_EQ_FATAL(cfg.count, 5);
    assert_entry(&cfg, 0, "name", "heapbook");
    assert_entry(&cfg, 1, "version", "6");
    assert_entry(&cfg, 2, "url", "https://example.org/?a=b");
    assert_entry(&cfg, 3, "empty", "");
    assert_entry(&cfg, 4, "log.level-2", "debug");
    config_free(&cfg);
    HB_ASSERT_NULL(cfg.entries);
    HB_ASSERT_EQ(cfg.count, 0);
}

HB_TEST(test_nothing_to_parse) {
    const char *texts[] = {"", "\n\n", "# only a comment\n", "  \t \n# and\n"};
    const size_t lines[] = {0, 2, 1, 2};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        config cfg;
        size_t line;
        HB_ASSERT_EQ(config_parse(texts[i], &cfg, &line), CONFIG_OK);
        HB_ASSERT_EQ(line, lines[i]);
        HB_ASSERT_NULL(cfg.entries);
        HB_ASSERT_EQ(cfg.count, 0);
        config_free(&cfg);
    }
}

HB_TEST(test_get) {
    config cfg;
    size_t line;
    HB_ASSERT_EQ_FATAL(config_parse("a = 1\nb = 2\n", &cfg, &line), CONFIG_OK);
    HB_ASSERT_STR_EQ(config_get(&cfg, "a"), "1");
    HB_ASSERT_STR_EQ(config_get(&cfg, "b"), "2");
    HB_ASSERT_NULL(config_get(&cfg, "c"));
    HB_ASSERT_NULL(config_get(&cfg, "A"));
    config_free(&cfg);
}

/* More entries than the parser's first guess at a config's size. */
HB_TEST(test_many_entries) {
    enum { ENTRIES = 100 };
    static char text[ENTRIES * sizeof "key99 = value99\n"];
    size_t used = 0;
    for (int i = 0; i < ENTRIES; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "key%d = value%d\n", i, i);
    config cfg;
    size_t line;
    HB_ASSERT_EQ_FATAL(config_parse(text, &cfg, &line), CONFIG_OK);
    HB_ASSERT_EQ(line, ENTRIES);
    HB_ASSERT_EQ_FATAL(cfg.count, ENTRIES);
    assert_entry(&cfg, 0, "key0", "value0");
    assert_entry(&cfg, 57, "key57", "value57");
    assert_entry(&cfg, 99, "key99", "value99");
    config_free(&cfg);
}

HB_TEST(test_errors_and_their_lines) {
    assert_rejected("oops\n", CONFIG_NO_EQUALS, 1);
    assert_rejected("a = 1\n\n# fine so far\nb 2\n", CONFIG_NO_EQUALS, 4);
    assert_rejected("= value\n", CONFIG_BAD_KEY, 1);
    assert_rejected("a = 1\nmax size = 10\n", CONFIG_BAD_KEY, 2);
    assert_rejected("a = 1\nb = 2\na = 3\n", CONFIG_DUPLICATE_KEY, 3);
    /* The first error wins. */
    assert_rejected("a = 1\na = 2\nno equals\n", CONFIG_DUPLICATE_KEY, 2);
}

HB_TEST(test_error_messages) {
    HB_ASSERT_STR_EQ(config_error_message(CONFIG_OK), "no error");
    HB_ASSERT_STR_EQ(config_error_message(CONFIG_NO_EQUALS), "no '=' in the line");
    HB_ASSERT_STR_EQ(config_error_message(CONFIG_DUPLICATE_KEY),
                     "the key was already set on an earlier line");
    HB_ASSERT_STR_EQ(config_error_message(CONFIG_OUT_OF_MEMORY), "out of memory");
}

/* The malformed texts again, measured: after each error the parser must
 * have freed everything, whatever it had built by then. */

static const char settings_then_no_equals[] = "# heapbook settings\n"
                                              "name = heapbook\n"
                                              "exercise = 06\n"
                                              "language C\n";

HB_MEMORY_TEST(test_no_equals_leaks_nothing, .leaks = "0 B") {
    assert_rejected(settings_then_no_equals, CONFIG_NO_EQUALS, 4);
}

HB_MEMORY_TEST(test_bad_key_leaks_nothing, .leaks = "0 B") {
    assert_rejected("name = heapbook\nmax size = 10\n", CONFIG_BAD_KEY, 2);
}

HB_MEMORY_TEST(test_duplicate_key_leaks_nothing, .leaks = "0 B") {
    assert_rejected("name = heapbook\nexercise = 06\nname = again\n", CONFIG_DUPLICATE_KEY, 3);
}

/* Nothing parsed yet, and still something to free. */
HB_MEMORY_TEST(test_empty_key_leaks_nothing, .leaks = "0 B") {
    assert_rejected(" = value\n", CONFIG_BAD_KEY, 1);
}

/* Six entries: the array of four grows once. */
static const char six_settings[] = "name = heapbook\n"
                                   "exercise = 06\n"
                                   "# a comment\n"
                                   "language = C\n"
                                   "standard = c11\n"
                                   "allocator = mimalloc\n"
                                   "tests = CUnit\n";

/* Parses six_settings; run once for every allocation it makes, with that
 * allocation failing. */
static void parse_six_settings(void) {
    config cfg;
    size_t line;
    config_error error = config_parse(six_settings, &cfg, &line);
    if (error == CONFIG_OK) {
        HB_ASSERT_EQ(cfg.count, 6);
        HB_ASSERT_STR_EQ(config_get(&cfg, "tests"), "CUnit");
        config_free(&cfg);
    } else {
        HB_ASSERT_EQ(error, CONFIG_OUT_OF_MEMORY);
        HB_ASSERT_NULL(cfg.entries);
        HB_ASSERT_EQ(cfg.count, 0);
    }
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(parse_six_settings); }

/* A config text made up for one run, in a buffer of its own (no heap). */
typedef struct random_text {
    char text[4096];
    size_t used, lines;
} random_text;

static void add_line(random_text *t, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    t->used += (size_t)vsnprintf(t->text + t->used, sizeof t->text - t->used, format, arguments);
    va_end(arguments);
    t->lines++;
}

/* From 1 to 40 good entries, with a comment here and there; returns how
 * many.  Entry i has the key "key<i>_<tag>" and the value "<i * tag>". */
static unsigned add_good_lines(random_text *t, unsigned tag) {
    unsigned entries = (unsigned)hb_random_named("entries", 1, 40);
    for (unsigned i = 0; i < entries; i++) {
        if (hb_random_named("comment?", 0, 3) == 0)
            add_line(t, "# before entry %u\n", i);
        add_line(t, "key%u_%u = %u\n", i, tag, i * tag);
    }
    return entries;
}

/* Texts made up on every run: good entries, then one error of each kind on
 * the line after them.  Whatever was built before the error is freed. */
HB_MEMORY_TEST(test_random_errors_leak_nothing, .leaks = "0 B") {
    static const config_error kinds[] = {CONFIG_NO_EQUALS, CONFIG_BAD_KEY, CONFIG_DUPLICATE_KEY,
                                         CONFIG_BAD_KEY};
    for (size_t kind = 0; kind < sizeof kinds / sizeof kinds[0]; kind++) {
        random_text t = {0};
        unsigned tag = (unsigned)hb_random_named("tag", 1, 9999);
        unsigned entries = add_good_lines(&t, tag);
        switch (kind) {
        case 0:
            add_line(&t, "no equals sign here\n");
            break;
        case 1:
            add_line(&t, "bad key = %u\n", tag);
            break;
        case 2: /* an earlier entry's key again */
            add_line(&t, "key%u_%u = again\n",
                     (unsigned)hb_random_named("repeated key", 0, entries - 1), tag);
            break;
        case 3:
            add_line(&t, " = no key\n");
            break;
        }
        size_t error_line = t.lines;
        add_line(&t, "after = the error\n");
        assert_rejected(t.text, kinds[kind], error_line);
    }
}

/* A good text made up on every run: every entry is there, and
 * config_free() frees them all. */
HB_MEMORY_TEST(test_random_entries_leak_nothing, .leaks = "0 B") {
    random_text t = {0};
    unsigned tag = (unsigned)hb_random_named("tag", 1, 9999);
    unsigned entries = add_good_lines(&t, tag);
    config cfg;
    size_t line;
    HB_ASSERT_EQ_FATAL(config_parse(t.text, &cfg, &line), CONFIG_OK);
    HB_ASSERT_EQ(line, t.lines);
    HB_ASSERT_EQ_FATAL(cfg.count, entries);
    for (unsigned i = 0; i < entries; i++) {
        char key[32], value[16];
        snprintf(key, sizeof key, "key%u_%u", i, tag);
        snprintf(value, sizeof value, "%u", i * tag);
        assert_entry(&cfg, i, key, value);
    }
    config_free(&cfg);
}
