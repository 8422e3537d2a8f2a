/* Exercise 06: Leaks on the error path.  Correctness first, then memory:
 * every malformed text, and every allocation that fails, must leave nothing
 * allocated. */
#define HB_SUITE_NAME "06-error-path-leaks"
#include "heapbook.h"

#include "config.h"

#include <stdio.h>

static void assert_entry(const config *cfg, size_t i, const char *key, const char *value) {
    CU_ASSERT_FATAL(i < cfg->count);
    CU_ASSERT_STRING_EQUAL(cfg->entries[i].key, key);
    CU_ASSERT_STRING_EQUAL(cfg->entries[i].value, value);
}

/* Parses `text`, which must be malformed, and checks the error, the line and
 * that *out was left empty. */
static void assert_rejected(const char *text, config_error expected, size_t expected_line) {
    static config_entry stale;
    config cfg = {&stale, 1}; /* not empty: the parser must empty it */
    size_t line;
    CU_ASSERT_EQUAL(config_parse(text, &cfg, &line), expected);
    CU_ASSERT_EQUAL(line, expected_line);
    CU_ASSERT_PTR_NULL(cfg.entries);
    CU_ASSERT_EQUAL(cfg.count, 0);
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
    CU_ASSERT_EQUAL_FATAL(config_parse(text, &cfg, &line), CONFIG_OK);
    CU_ASSERT_EQUAL(line, 8);
    CU_ASSERT_EQUAL_FATAL(cfg.count, 5);
    assert_entry(&cfg, 0, "name", "heapbook");
    assert_entry(&cfg, 1, "version", "6");
    assert_entry(&cfg, 2, "url", "https://example.org/?a=b");
    assert_entry(&cfg, 3, "empty", "");
    assert_entry(&cfg, 4, "log.level-2", "debug");
    config_free(&cfg);
    CU_ASSERT_PTR_NULL(cfg.entries);
    CU_ASSERT_EQUAL(cfg.count, 0);
}

HB_TEST(test_nothing_to_parse) {
    const char *texts[] = {"", "\n\n", "# only a comment\n", "  \t \n# and\n"};
    const size_t lines[] = {0, 2, 1, 2};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        config cfg;
        size_t line;
        CU_ASSERT_EQUAL(config_parse(texts[i], &cfg, &line), CONFIG_OK);
        CU_ASSERT_EQUAL(line, lines[i]);
        CU_ASSERT_PTR_NULL(cfg.entries);
        CU_ASSERT_EQUAL(cfg.count, 0);
        config_free(&cfg);
    }
}

HB_TEST(test_get) {
    config cfg;
    size_t line;
    CU_ASSERT_EQUAL_FATAL(config_parse("a = 1\nb = 2\n", &cfg, &line), CONFIG_OK);
    CU_ASSERT_STRING_EQUAL(config_get(&cfg, "a"), "1");
    CU_ASSERT_STRING_EQUAL(config_get(&cfg, "b"), "2");
    CU_ASSERT_PTR_NULL(config_get(&cfg, "c"));
    CU_ASSERT_PTR_NULL(config_get(&cfg, "A"));
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
    CU_ASSERT_EQUAL_FATAL(config_parse(text, &cfg, &line), CONFIG_OK);
    CU_ASSERT_EQUAL(line, ENTRIES);
    CU_ASSERT_EQUAL_FATAL(cfg.count, ENTRIES);
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
    CU_ASSERT_STRING_EQUAL(config_error_message(CONFIG_OK), "no error");
    CU_ASSERT_STRING_EQUAL(config_error_message(CONFIG_NO_EQUALS), "no '=' in the line");
    CU_ASSERT_STRING_EQUAL(config_error_message(CONFIG_DUPLICATE_KEY),
                           "the key was already set on an earlier line");
    CU_ASSERT_STRING_EQUAL(config_error_message(CONFIG_OUT_OF_MEMORY), "out of memory");
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
        CU_ASSERT_EQUAL(cfg.count, 6);
        CU_ASSERT_STRING_EQUAL(config_get(&cfg, "tests"), "CUnit");
        config_free(&cfg);
    } else {
        CU_ASSERT_EQUAL(error, CONFIG_OUT_OF_MEMORY);
        CU_ASSERT_PTR_NULL(cfg.entries);
        CU_ASSERT_EQUAL(cfg.count, 0);
    }
}

HB_TEST(test_out_of_memory_leaks_nothing) { hb_fail_each_allocation(parse_six_settings); }
