/* scope: what the benchmark's workloads run under, chosen by --scope.
 *
 * workload.c is compiled once and linked with one of two implementations:
 * scope_plain.c in the builds without the harness (glibc, mimalloc), which
 * offer only "none", and scope_harness.c, which opens a heapbook scope
 * around each timed run.  So every build times the very same machine code. */
#ifndef BENCH_SCOPE_H
#define BENCH_SCOPE_H

#include <stdbool.h>

/* Chooses the mode by its --scope name: "none", "counts" (a scope that only
 * counts), "stacks" (a scope that also records every allocation's stack) or
 * "test" (stacks, and the quarantine of freed blocks, as a test runs).
 * Returns false if this build does not offer that mode. */
bool bench_scope_choose(const char *mode);

/* Opens a scope of the chosen mode; nothing for "none".  Exits with a
 * message if the harness refuses to open one. */
void bench_scope_open(void);

/* Ends and releases the scope bench_scope_open() opened.  Exits with a
 * message if the scope counted no allocation at all: the workload's malloc
 * is then not the harness's, and its times would mean nothing. */
void bench_scope_close(void);

#endif
