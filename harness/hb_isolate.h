/* hb_isolate: each test in a child process of its own, as Check and
 * Criterion do, so that a crash, an infinite loop or a call to exit() in the
 * code under test is one failed test with a message, and the other tests and
 * CUnit's summary still run.
 *
 * The child runs the test and sends its outcome (assertions passed, each
 * failure, the memory figures) to the parent through a pipe; the parent
 * replays it into CUnit.  If the child dies instead, the parent reports how:
 *
 *   crashed: SIGSEGV (segmentation fault) at f (file:line) <- g (...) <- ...
 *   timed out after 10 s, while in f (file:line) <- ...
 *   ended the test process: exit(3) called from f (file:line) <- ...
 *
 * HEAPBOOK_FORK=0 in the environment runs tests in-process instead (for a
 * debugger); HEAPBOOK_TIMEOUT=N sets the time limit per test in seconds. */
#ifndef HB_ISOLATE_H
#define HB_ISOLATE_H

#include "heapbook.h"

enum { HB_DEFAULT_TIMEOUT_SECONDS = 10 };

/* Runs `test` in a child and reports into the current CUnit test; called
 * from inside a CUnit run. */
void hb_isolate_run(const hb_test_def *test, unsigned timeout_seconds);

/* In the child: a note added to the report if the test dies from here on
 * ("while allocation 3 of 5 was made to fail"); NULL clears it.  Does
 * nothing when tests are not isolated. */
void hb_isolate_note(const char *note);

#endif
