/* exit_handlers.c: exit handlers a test registers (runner.h: Exit
 * handlers).
 *
 * A test's process ends with _exit(), as it must: exit() would run what
 * the runner's process and its libraries registered, once per test.  So a
 * handler the code under test registers with atexit(), on_exit() or
 * at_quick_exit() never runs, and what it would do (free a cache, flush a
 * file, crash) is never tested.  Not a failure: the test checked what it
 * checked, and a program's end is not a test's.  But it is said, on the
 * test's line: these functions are defined here, pass each registration on
 * to the C library, and note its caller in a page shared with the
 * runner's process, which reads it when the test is over. */
#include "runner.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h> /* atexit & co., which this file defines */
#include <string.h>
#include <sys/mman.h>

enum { MAX_NOTED = 4 };

typedef struct registrations {
    _Atomic unsigned count;
    const char *function[MAX_NOTED]; /* "atexit", ... (static strings: the same in every process) */
    uintptr_t caller[MAX_NOTED];
} registrations;

/* The module's state: the page every test's process writes in. */
static registrations *shared;

__attribute__((constructor)) static void map_the_shared_page(void) {
    void *page = hb_sys_mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared = page == MAP_FAILED ? NULL : page;
}

static void note(const char *function, uintptr_t caller) {
    if (shared == NULL)
        return;
    unsigned at = atomic_fetch_add(&shared->count, 1);
    if (at < MAX_NOTED) {
        shared->function[at] = function;
        shared->caller[at] = caller;
    }
}

/* The C library's own: atexit() and at_quick_exit() are its small static
 * wrappers around these (libc_nonshared.a), given the executable's
 * handle. */
extern int __cxa_atexit(void (*function)(void *), void *argument, void *dso);
extern int __cxa_at_quick_exit(void (*function)(void), void *dso);
extern void *__dso_handle;

HB_API int atexit(void (*function)(void)) {
    note("atexit", (uintptr_t)__builtin_return_address(0));
    return __cxa_atexit((void (*)(void *))function, NULL, __dso_handle);
}

HB_API int at_quick_exit(void (*function)(void)) {
    note("at_quick_exit", (uintptr_t)__builtin_return_address(0));
    return __cxa_at_quick_exit(function, __dso_handle);
}

HB_API int on_exit(void (*function)(int, void *), void *argument) {
    static int (*next)(void (*)(int, void *), void *);
    if (next == NULL) {
        hb_guard_enter(); /* dlsym may allocate its error text */
        next = (int (*)(void (*)(int, void *), void *))dlsym(RTLD_NEXT, "on_exit");
        hb_guard_leave();
    }
    note("on_exit", (uintptr_t)__builtin_return_address(0));
    return next != NULL ? next(function, argument) : -1;
}

void hb_exit_handlers_forget(void) {
    if (shared != NULL)
        atomic_store(&shared->count, 0);
}

void hb_exit_handlers_say(void) {
    if (shared == NULL || !hb_runner_isolated())
        return;
    unsigned count = atomic_load(&shared->count);
    for (unsigned i = 0; i < count && i < MAX_NOTED; i++) {
        hb_location where;
        hb_symbolize(shared->caller[i], true, &where);
        /* The harness's own (the test's process notes its exit()). */
        if (strncmp(where.file, "harness/", strlen("harness/")) == 0)
            continue;
        char line[HB_FUNCTION_NAME + HB_FILE_NAME + 16];
        hb_location_format(&where, line, sizeof line);
        /* On CUnit's line of the test; Google Test's output (gtest.c) has
         * a line for it, as for the other notes. */
        printf("[%s() in %s registered a handler that never ran: a test's process ends without "
               "running exit handlers, so what it does is not tested]%s",
               shared->function[i], line, hb_gtest_requested() ? "\n" : " ");
    }
    fflush(stdout);
    hb_exit_handlers_forget();
}
