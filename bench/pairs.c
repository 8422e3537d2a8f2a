/* pairs: small malloc/free pairs, for counting the instructions each costs
 * (bench/instructions.sh runs it under callgrind, whose counts are the same
 * at every run, whatever else the machine does).
 *
 *   pairs-BUILD N [--scope none|counts|stacks|quarantine|test]
 *
 * N pairs of malloc (16 to 64 bytes, in turn) and free, each block written
 * once.  Linked like workload.c: with glibc's malloc, mimalloc's, the
 * minimal counter's (minimal_counter.c) and the harness's (scope.h).  Two
 * runs with different N give the cost of one pair, start-up cancelled. */
#include "scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* noinline, and a call site of its own: the stack each allocation records
 * is a test's (a few frames of the program's own). */
__attribute__((noinline)) static void one_pair(size_t size) {
    unsigned char *volatile block = malloc(size);
    if (block == NULL) {
        fputs("pairs: out of memory\n", stderr);
        exit(EXIT_FAILURE);
    }
    block[0] = (unsigned char)size;
    free(block);
}

__attribute__((noinline)) static void pairs(long count) {
    for (long i = 0; i < count; i++)
        one_pair(16 + (size_t)(i % 4) * 16);
}

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 0;
    const char *scope = argc > 3 && strcmp(argv[2], "--scope") == 0 ? argv[3] : "none";
    if (count <= 0 || !bench_scope_choose(scope)) {
        fprintf(
            stderr,
            "usage: %s N [--scope none|counts|stacks|quarantine|test] (this build: see scope.h)\n",
            argv[0]);
        return 2;
    }
    bench_scope_open();
    pairs(count);
    bench_scope_close();
    return 0;
}
