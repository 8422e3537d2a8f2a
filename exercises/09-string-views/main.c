/* Exercise 09 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/09-string-views/program [FILE]
 *
 * indexes the lines of FILE, or with no argument the sample log of the
 * memory test, and prints how many there are, how many begin with each log
 * level, and the first and last line.
 */
#include "line_index.h"
#include "sample_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads all of `in` into a new buffer, stores its size in *length; NULL
 * (errno set) if reading fails or memory runs out. */
static char *read_all(FILE *in, size_t *length) {
    size_t capacity = 64 * 1024, used = 0;
    char *buffer = malloc(capacity);
    while (buffer != NULL) {
        used += fread(buffer + used, 1, capacity - used, in);
        if (used < capacity)
            break;
        char *bigger = realloc(buffer, 2 * capacity);
        if (bigger == NULL)
            free(buffer);
        buffer = bigger;
        capacity *= 2;
    }
    if (buffer != NULL && ferror(in)) {
        free(buffer);
        errno = EIO;
        return NULL;
    }
    *length = used;
    return buffer;
}

static void print_line(const char *label, const line_index *index, size_t number) {
    text_view line = line_at(index, number);
    printf("%s (line %zu): %.*s\n", label, number + 1, (int)line.length, line.start);
}

int main(int argc, char **argv) {
    if (argc > 2) {
        fprintf(stderr, "usage: %s [FILE]\n", argv[0]);
        return 2;
    }
    const char *name = argc == 2 ? argv[1] : "the sample log";
    size_t length;
    const char *text;
    char *file_text = NULL;
    if (argc == 2) {
        FILE *in = fopen(argv[1], "rb");
        if (in == NULL || (file_text = read_all(in, &length)) == NULL) {
            fprintf(stderr, "line_index: cannot read %s: %s\n", name, strerror(errno));
            if (in != NULL)
                fclose(in);
            return 1;
        }
        fclose(in);
        text = file_text;
    } else {
        text = sample_log(&length);
    }

    line_index *index = index_lines(text, length);
    if (index == NULL) {
        fprintf(stderr, "line_index: out of memory indexing %s\n", name);
        free(file_text);
        return 1;
    }
    size_t lines = line_count(index);
    printf("%zu line%s in %s (%zu bytes): %zu ERROR, %zu WARN, %zu INFO\n", lines,
           lines == 1 ? "" : "s", name, length, count_lines_starting_with(index, "ERROR "),
           count_lines_starting_with(index, "WARN "), count_lines_starting_with(index, "INFO "));
    if (lines > 0) {
        print_line("first", index, 0);
        print_line("last", index, lines - 1);
    }
    line_index_free(index);
    free(file_text);
    return 0;
}
