/* The harness build: each timed run inside a heapbook scope, as the body of
 * an HB_MEMORY_TEST runs, or outside any (every block still gets the
 * harness's header).  "test" is a test's whole set-up: the test's scope and
 * the body's inside it, both with stacks, and the quarantine of freed
 * blocks (docs/harness.md, What is guarded).  Built with frame pointers,
 * as a test binary is, and trusting them as its runner does. */
#include "scope.h"

#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mode {
    const char *name;
    unsigned scopes;     /* how many nested: 0, 1 or 2 */
    unsigned options[2]; /* hb_scope_begin()'s, outermost first */
    bool quarantine;
} mode;

/* "test" as harness/runner/child.c and measure.c open them. */
static const mode modes[] = {
    {"none", 0, {0}, false},
    {"counts", 1, {HB_SCOPE_COUNTS_ONLY}, false},
    {"stacks", 1, {HB_SCOPE_STACKS}, false},
    {"quarantine", 1, {HB_SCOPE_STACKS}, true},
    {"test", 2, {HB_SCOPE_STACKS | HB_SCOPE_NO_SITES, HB_SCOPE_STACKS}, true},
};

static const mode *chosen = &modes[0];
static hb_scope *scopes[2];

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
    hb_stacks_trust_frame_pointers();
    hb_quarantine_enable(chosen->quarantine);
    for (unsigned i = 0; i < chosen->scopes; i++)
        if ((scopes[i] = hb_scope_begin(chosen->options[i])) == NULL)
            fail("hb_scope_begin() refused to open a scope");
}

void bench_scope_close(void) {
    for (unsigned i = chosen->scopes; i-- > 0;) {
        if (!hb_scope_end(scopes[i]))
            fail("hb_scope_end(): the scope is not the innermost one");
        hb_usage usage = hb_scope_usage(scopes[i]);
        hb_scope_release(scopes[i]);
        if (usage.allocations == 0)
            fail("the scope counted no allocation; is the harness's malloc linked in?");
    }
}
