/* Exercise 06, a wrong fix: every syntax error frees everything, as in the
 * solution, but when append() cannot grow the array, the entry it was
 * given is lost. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Room for a few entries; more double it. */
enum { FIRST_CAPACITY = 4 };

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static const char *skip_blanks(const char *begin, const char *end) {
    while (begin < end && is_blank(*begin))
        begin++;
    return begin;
}

/* A new string holding [begin, end) without its leading and trailing blanks;
 * NULL if memory runs out. */
static char *copy_trimmed(const char *begin, const char *end) {
    begin = skip_blanks(begin, end);
    while (end > begin && is_blank(end[-1]))
        end--;
    size_t length = (size_t)(end - begin);
    char *copy = malloc(length + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, begin, length);
    copy[length] = '\0';
    return copy;
}

static bool is_valid_key(const char *key) {
    if (*key == '\0')
        return false;
    for (; *key != '\0'; key++)
        if (!isalnum((unsigned char)*key) && *key != '_' && *key != '.' && *key != '-')
            return false;
    return true;
}

/* Blank lines and comments carry no entry. */
static bool is_skipped(const char *begin, const char *end) {
    begin = skip_blanks(begin, end);
    return begin == end || *begin == '#';
}

/* Adds an entry that takes over `key` and `value`, growing the array when
 * it is full; false if memory runs out. */
static bool append(config *cfg, size_t *capacity, char *key, char *value) {
    if (cfg->count == *capacity) {
        size_t grown_capacity = *capacity == 0 ? FIRST_CAPACITY : 2 * *capacity;
        config_entry *grown = realloc(cfg->entries, grown_capacity * sizeof *grown);
        if (grown == NULL)
            return false; /* the mistake: nobody frees `key` and `value` now */
        cfg->entries = grown;
        *capacity = grown_capacity;
    }
    cfg->entries[cfg->count++] = (config_entry){key, value};
    return true;
}

/* Parses the line [begin, end), which is not skipped, into a new *entry
 * that the caller owns.  On error returns it and has freed what it
 * allocated. */
static config_error parse_entry(const char *begin, const char *end, const config *cfg,
                                config_entry *entry) {
    const char *equals = memchr(begin, '=', (size_t)(end - begin));
    if (equals == NULL)
        return CONFIG_NO_EQUALS;
    char *key = copy_trimmed(begin, equals);
    if (key == NULL)
        return CONFIG_OUT_OF_MEMORY;
    config_error error;
    if (!is_valid_key(key))
        error = CONFIG_BAD_KEY;
    else if (config_get(cfg, key) != NULL)
        error = CONFIG_DUPLICATE_KEY;
    else if ((entry->value = copy_trimmed(equals + 1, end)) == NULL)
        error = CONFIG_OUT_OF_MEMORY;
    else {
        entry->key = key;
        return CONFIG_OK;
    }
    free(key);
    return error;
}

config_error config_parse(const char *text, config *out, size_t *line) {
    config cfg = {NULL, 0};
    size_t capacity = 0;
    config_error error = CONFIG_OK;
    *line = 0;
    for (const char *begin = text; *begin != '\0' && error == CONFIG_OK;) {
        const char *end = begin + strcspn(begin, "\n");
        ++*line;
        if (!is_skipped(begin, end)) {
            config_entry entry;
            error = parse_entry(begin, end, &cfg, &entry);
            if (error == CONFIG_OK && !append(&cfg, &capacity, entry.key, entry.value))
                error = CONFIG_OUT_OF_MEMORY;
        }
        begin = *end == '\n' ? end + 1 : end;
    }
    if (error != CONFIG_OK)
        config_free(&cfg);
    *out = cfg;
    return error;
}

const char *config_get(const config *cfg, const char *key) {
    for (size_t i = 0; i < cfg->count; i++)
        if (strcmp(cfg->entries[i].key, key) == 0)
            return cfg->entries[i].value;
    return NULL;
}

void config_free(config *cfg) {
    for (size_t i = 0; i < cfg->count; i++) {
        free(cfg->entries[i].key);
        free(cfg->entries[i].value);
    }
    free(cfg->entries);
    *cfg = (config){NULL, 0};
}

const char *config_error_message(config_error error) {
    switch (error) {
    case CONFIG_OK:
        return "no error";
    case CONFIG_NO_EQUALS:
        return "no '=' in the line";
    case CONFIG_BAD_KEY:
        return "the key is empty or has a character other than letters, digits, '_', '.', '-'";
    case CONFIG_DUPLICATE_KEY:
        return "the key was already set on an earlier line";
    case CONFIG_OUT_OF_MEMORY:
        return "out of memory";
    }
    return "unknown error";
}
