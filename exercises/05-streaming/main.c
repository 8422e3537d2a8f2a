/* Exercise 05 as a program, to run under a profiler or a debugger:
 *
 *     build/exercises/05-streaming/program [FILE]
 *
 * counts FILE like `wc`, or with no argument the 3 MiB sample text of the
 * memory test.
 */
#include "sample_text.h"
#include "word_count.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc > 2) {
        fprintf(stderr, "usage: %s [FILE]\n", argv[0]);
        return 2;
    }
    const char *name = argc == 2 ? argv[1] : "the sample text";
    FILE *in = argc == 2 ? fopen(argv[1], "r") : sample_text_open(SAMPLE_TEXT_SIZE);
    if (in == NULL) {
        fprintf(stderr, "word_count: cannot open %s: %s\n", name, strerror(errno));
        return 1;
    }
    word_counts counts;
    bool counted = word_count(in, &counts);
    int saved_errno = errno;
    fclose(in);
    if (!counted) {
        fprintf(stderr, "word_count: cannot read %s: %s\n", name, strerror(saved_errno));
        return 1;
    }
    printf("%zu lines, %zu words, %zu bytes in %s\n", counts.lines, counts.words, counts.bytes,
           name);
    return 0;
}
