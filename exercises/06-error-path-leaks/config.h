/* Exercise 06: Leaks on the error path.  The contract the tests check; do
 * not change it. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

/* One `key = value` line.  Both strings are the config's own. */
typedef struct config_entry {
    char *key;
    char *value;
} config_entry;

/* The entries in the order of the text.  An empty config is {NULL, 0}. */
typedef struct config {
    config_entry *entries;
    size_t count;
} config;

typedef enum config_error {
    CONFIG_OK = 0,
    CONFIG_NO_EQUALS,     /* a line to read that has no '=' */
    CONFIG_BAD_KEY,       /* an empty key, or one with a character not allowed */
    CONFIG_DUPLICATE_KEY, /* a key seen on an earlier line */
    CONFIG_OUT_OF_MEMORY,
} config_error;

/* Parses `text`, made of lines of the form `key = value`:
 *   - a key is one or more letters, digits, '_', '.' or '-';
 *   - a value is the rest of the line after the first '=', and may be empty;
 *   - spaces and tabs around keys and values are not part of them;
 *   - blank lines, and lines whose first character other than a space or a
 *     tab is '#', are skipped;
 *   - lines end with '\n', and the last one may end without it.
 * Sets *line to the number (counting from 1) of the last line it read.
 *
 * On success returns CONFIG_OK and fills *out, which the caller frees with
 * config_free().  On error returns the first error in the text, with *line
 * the line at fault (for CONFIG_OUT_OF_MEMORY, the line being parsed), and
 * sets *out to an empty config.  It has then freed everything it allocated:
 * after an error the caller has nothing to free. */
config_error config_parse(const char *text, config *out, size_t *line);

/* The value of `key` in `cfg`, or NULL if it has none. */
const char *config_get(const config *cfg, const char *key);

/* Frees every entry and the array, and leaves *cfg empty.  Freeing an empty
 * config does nothing. */
void config_free(config *cfg);

/* What an error code means, in a few words: "no '=' in the line". */
const char *config_error_message(config_error error);

#endif
