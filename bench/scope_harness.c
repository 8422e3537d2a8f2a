/* The harness build: each timed run inside a heapbook scope, as the body of
 * an HB_MEMORY_TEST runs, or outside any (every block still gets the
 * harness's header).  "test" is a test's whole set-up: a scope with stacks
 * and the quarantine of freed blocks (docs/harness.md, What is guarded). */
#include "scope.h"

#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mode {
    const char *name;
    bool measured;    /* false: no scope at all */
    unsigned options; /* hb_scope_begin()'s, when measured */
    bool quarantine;
} mode;

static const mode modes[] = {
    {"none", false, 0, false},
    {"counts", true, HB_SCOPE_COUNTS_ONLY, false},
    {"stacks", true, HB_SCOPE_STACKS, false},
    {"test", true, HB_SCOPE_STACKS, true},
};

static const mode *chosen = &modes[0];
static hb_scope *scope;

bool bench_scope_choose(const char *name) {
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(modes[i].name, name) == 0) {
            chosen = &modes[i];
            return true;
        }
    }
    return false;
}

static _Noreturn void fail(const char *what) {
    fprintf(stderr, "workload: --scope %s: %s\n", chosen->name, what);
    exit(EXIT_FAILURE);
}

void bench_scope_open(void) {
    if (!chosen->measured)
        return;
    hb_quarantine_enable(chosen->quarantine);
    scope = hb_scope_begin(chosen->options);
    if (scope == NULL)
        fail("hb_scope_begin() refused to open a scope");
}

void bench_scope_close(void) {
    if (!chosen->measured)
        return;
    if (!hb_scope_end(scope))
        fail("hb_scope_end(): the scope is not the innermost one");
    hb_usage usage = hb_scope_usage(scope);
    hb_scope_release(scope);
    if (usage.allocations == 0)
        fail("the scope counted no allocation; is the harness's malloc linked in?");
}
