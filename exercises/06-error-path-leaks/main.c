/* Exercise 06 as a program, to run under a debugger or a leak checker:
 *
 *     build/exercises/06-error-path-leaks/program [FILE]
 *
 * parses FILE as a config and prints its entries, or the error and its line.
 * With no argument it parses the text of test_no_equals_leaks_nothing, which
 * has an error on line 4.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A config file is small: the program reads it into a fixed buffer. */
enum { MAX_TEXT = 64 * 1024 };

static const char default_text[] = "# heapbook settings\n"
                                   "name = heapbook\n"
                                   "exercise = 06\n"
                                   "language C\n";

static bool read_text(const char *path, char *text, size_t size) {
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "config: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    size_t length = fread(text, 1, size, file);
    bool ok = !ferror(file) && length < size;
    if (ferror(file))
        fprintf(stderr, "config: cannot read %s: %s\n", path, strerror(errno));
    else if (length == size)
        fprintf(stderr, "config: %s is larger than %zu bytes\n", path, size - 1);
    fclose(file);
    text[ok ? length : 0] = '\0';
    return ok;
}

int main(int argc, char **argv) {
    static char text[MAX_TEXT];
    if (argc > 2) {
        fprintf(stderr, "usage: %s [FILE]\n", argv[0]);
        return 2;
    }
    const char *name = argc == 2 ? argv[1] : "the test's text";
    if (argc == 2 && !read_text(argv[1], text, sizeof text))
        return 1;
    config cfg;
    size_t line;
    config_error error = config_parse(argc == 2 ? text : default_text, &cfg, &line);
    if (error != CONFIG_OK) {
        printf("%s, line %zu: %s\n", name, line, config_error_message(error));
        return 1;
    }
    for (size_t i = 0; i < cfg.count; i++)
        printf("%s = %s\n", cfg.entries[i].key, cfg.entries[i].value);
    config_free(&cfg);
    return 0;
}
