/* trampolines.c: the program's own threads and signal handlers, each run
 * through a trampoline of the harness's.
 *
 * ---- threads (docs/harness.md: What else counts)
 *
 * pthread_create() is defined here, in the executable, and starts every
 * thread through a trampoline, for two reasons:
 *
 *   - a thread's stack is memory the program asked for: started while a
 *     scope is open, by the measured code, it counts as a block of the
 *     size pthread_create() maps for it (the attributes' stack size, or
 *     the process's default: pthread_getattr_default_np(), which glibc
 *     takes from RLIMIT_STACK) until the thread is joined, or has ended
 *     detached.  A stack the program provides (pthread_attr_setstack)
 *     is its own memory, counted where it came from;
 *   - a thread's stack overflow must be reported like the main thread's
 *     (runner/child.c): the fault's handler needs a stack of its own
 *     to run on (an alternate signal stack, from the kernel, uncounted),
 *     and the bounds of the thread's stack, looked up at its start
 *     (hb_stacks_this_thread) so the handler can read them.
 *
 * C11's thrd_create() and its kin are the same, under their names.
 *
 * The threads started are kept in a fixed table (no malloc here); when
 * it is full a thread starts as glibc starts it, uncounted and without a
 * signal stack. */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#if !HB_SANITIZED /* AddressSanitizer gives each thread its signal stack, and counts nothing */

enum {
    MAX_THREADS = 1024,             /* started and not yet joined, at once */
    SIGNAL_STACK_BYTES = 64 * 1024, /* the fault report's unwinding: as the main thread's */
};

typedef struct thread_record {
    bool in_use;
    bool published; /* its id is written: pthread_create() has returned */
    bool detached;  /* nobody will join it: its end gives its stack back */
    bool ended;     /* its start routine returned, or it called pthread_exit() */
    bool joined;    /* before its creator had its id back: the creator forgets it */
    pthread_t id;
    void *(*routine)(void *);
    int (*c11_routine)(void *); /* instead, for thrd_create() */
    void *argument;
    hb_block stack; /* as the scopes counted it; size 0: not counted */
    void *signal_stack;
} thread_record;

/* The module's state: the threads started, searched linearly (threads are
 * few, and started far less often than blocks are allocated). */
static struct {
    hb_spinlock lock;
    thread_record table[MAX_THREADS];
} threads = {.lock = HB_SPINLOCK_INIT};

static thread_record *claim(void) {
    thread_record *found = NULL;
    hb_spin_lock(&threads.lock);
    for (size_t i = 0; i < MAX_THREADS && found == NULL; i++)
        if (!threads.table[i].in_use) {
            found = &threads.table[i];
            *found = (thread_record){.in_use = true};
        }
    hb_spin_unlock(&threads.lock);
    return found;
}

/* The stack glibc will map for a thread started with `attributes`; 0 if
 * the program provides it. */
static size_t stack_size(const pthread_attr_t *attributes) {
    pthread_attr_t defaults;
    if (attributes == NULL) {
        if (pthread_getattr_default_np(&defaults) != 0)
            return 0;
        attributes = &defaults;
    }
    void *low = NULL;
    size_t size = 0;
    pthread_attr_getstack(attributes, &low, &size);
    /* Without a stack of the program's, glibc reports its address as 0
     * less the size: low + size is 0. */
    bool provided = (uintptr_t)low + size != 0;
    if (attributes == &defaults)
        pthread_attr_destroy(&defaults);
    return provided ? 0 : size;
}

/* Its stack given back: uncounted, and the record freed.  Under the lock. */
static void forget_locked(thread_record *record) {
    if (record->stack.size != 0)
        hb_scopes_count_free(&record->stack);
    record->in_use = false;
}

/* At the thread's end, on its own stack: its signal stack goes, and a
 * detached thread's stack is given back (once its creator has its id). */
static void thread_ended(void *opaque) {
    thread_record *record = opaque;
    stack_t current;
    if (record->signal_stack != NULL && sigaltstack(NULL, &current) == 0 &&
        current.ss_sp == record->signal_stack) {
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
        hb_pages_free(record->signal_stack, SIGNAL_STACK_BYTES);
    }
    hb_spin_lock(&threads.lock);
    record->ended = true;
    if (record->detached && record->published)
        forget_locked(record);
    hb_spin_unlock(&threads.lock);
}

static void *thread_trampoline(void *opaque) {
    thread_record *record = opaque;
    /* Its id, for a pthread_detach(pthread_self()) before its creator has
     * it back from pthread_create(). */
    hb_spin_lock(&threads.lock);
    record->id = pthread_self();
    hb_spin_unlock(&threads.lock);
    hb_guard_enter(); /* glibc allocates to say where the stack is */
    hb_stacks_this_thread();
    hb_guard_leave();
    record->signal_stack = hb_pages_alloc(SIGNAL_STACK_BYTES);
    if (record->signal_stack != NULL) {
        stack_t own = {.ss_sp = record->signal_stack, .ss_size = SIGNAL_STACK_BYTES};
        sigaltstack(&own, NULL);
    }
    void *result;
    pthread_cleanup_push(thread_ended, record);
    if (record->c11_routine != NULL) /* its int where glibc's thrd_join() looks */
        result = (void *)(intptr_t)record->c11_routine(record->argument);
    else
        result = record->routine(record->argument);
    pthread_cleanup_pop(1);
    return result;
}

/* Thread `id` was joined (its stack is given back), or detached (given
 * back at its end, or now if it has ended and its creator has its id). */
static void joined_or_detached(pthread_t id, bool detached) {
    hb_spin_lock(&threads.lock);
    for (size_t i = 0; i < MAX_THREADS; i++) {
        thread_record *record = &threads.table[i];
        if (!record->in_use || !pthread_equal(record->id, id))
            continue;
        if (!record->published) { /* its creator finishes the job */
            record->joined |= !detached;
            record->detached |= detached;
        } else if (!detached || record->ended) {
            forget_locked(record);
        } else {
            record->detached = true;
        }
        break;
    }
    hb_spin_unlock(&threads.lock);
}

/* pthread_create() for the program, whose routine and argument are in
 * `routine`, called from `caller`. */
static int start(pthread_t *id, const pthread_attr_t *attributes, const thread_record *routine,
                 uintptr_t caller) {
    int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
        hb_next_function("pthread_create");
    thread_record *record = claim();
    if (record == NULL && routine->c11_routine != NULL)
        return EAGAIN; /* no way to start it as C11 asks without a record */
    if (record == NULL)
        return create(id, attributes, routine->routine, routine->argument);
    record->routine = routine->routine;
    record->c11_routine = routine->c11_routine;
    record->argument = routine->argument;
    int detach_state = PTHREAD_CREATE_JOINABLE;
    if (attributes != NULL)
        pthread_attr_getdetachstate(attributes, &detach_state);
    record->detached = detach_state == PTHREAD_CREATE_DETACHED;
    if (hb_scopes_any_open() && !hb_guard_active() && !hb_in_excluded_library(caller)) {
        hb_guard_enter();
        record->stack = (hb_block){.size = stack_size(attributes)};
        if (record->stack.size != 0)
            hb_scopes_count_alloc(&record->stack, caller, __builtin_frame_address(0));
        hb_guard_leave();
    }
    int status = create(id, attributes, thread_trampoline, record);
    hb_spin_lock(&threads.lock);
    if (status != 0 || (record->detached && record->ended) || record->joined) {
        forget_locked(record); /* never started, or already over */
    } else {
        record->id = *id;
        record->published = true;
    }
    hb_spin_unlock(&threads.lock);
    return status;
}

#pragma GCC visibility push(default)

int pthread_create(pthread_t *id, const pthread_attr_t *attributes, void *(*routine)(void *),
                   void *argument) {
    return start(id, attributes, &(thread_record){.routine = routine, .argument = argument},
                 (uintptr_t)__builtin_return_address(0));
}

/* Each way of joining: the thread's stack is given back when it succeeds. */
static int joined(pthread_t id, int status) {
    if (status == 0)
        joined_or_detached(id, false);
    return status;
}

int pthread_join(pthread_t id, void **result) {
    int (*join)(pthread_t, void **) = hb_next_function("pthread_join");
    return joined(id, join(id, result));
}

int pthread_tryjoin_np(pthread_t id, void **result) {
    int (*join)(pthread_t, void **) = hb_next_function("pthread_tryjoin_np");
    return joined(id, join(id, result));
}

int pthread_timedjoin_np(pthread_t id, void **result, const struct timespec *deadline) {
    int (*join)(pthread_t, void **, const struct timespec *) =
        hb_next_function("pthread_timedjoin_np");
    return joined(id, join(id, result, deadline));
}

int pthread_clockjoin_np(pthread_t id, void **result, clockid_t clock,
                         const struct timespec *deadline) {
    int (*join)(pthread_t, void **, clockid_t, const struct timespec *) =
        hb_next_function("pthread_clockjoin_np");
    return joined(id, join(id, result, clock, deadline));
}

int pthread_detach(pthread_t id) {
    int (*detach)(pthread_t) = hb_next_function("pthread_detach");
    int status = detach(id);
    if (status == 0)
        joined_or_detached(id, true);
    return status;
}

/* C11's threads are glibc's pthreads, started and joined inside glibc
 * where no interposed call reaches: so the same, under C11's names. */
int thrd_create(thrd_t *id, thrd_start_t routine, void *argument) {
    thread_record c11 = {.c11_routine = routine, .argument = argument};
    switch (start(id, NULL, &c11, (uintptr_t)__builtin_return_address(0))) {
    case 0:
        return thrd_success;
    case EAGAIN:
    case ENOMEM:
        return thrd_nomem;
    default:
        return thrd_error;
    }
}

int thrd_join(thrd_t id, int *result) {
    int (*join)(thrd_t, int *) = hb_next_function("thrd_join");
    int status = join(id, result);
    if (status == thrd_success)
        joined_or_detached(id, false);
    return status;
}

int thrd_detach(thrd_t id) {
    int (*detach)(thrd_t) = hb_next_function("thrd_detach");
    int status = detach(id);
    if (status == thrd_success)
        joined_or_detached(id, true);
    return status;
}

#pragma GCC visibility pop

#endif /* !HB_SANITIZED */

/* ---- signal handlers
 *
 * The program's signal handlers are run through a trampoline so
 * that what a handler allocates counts wherever the signal lands
 * (internal.h: hb_thread_state).
 *
 * sigaction() and signal() are defined here, in the executable, so every
 * handler the program installs is the trampoline's to call; sigaction()
 * still reports the program's own handler.  The harness installs its own
 * handlers with hb_sigaction(), unwrapped. */

int hb_sigaction(int signal, const struct sigaction *action, struct sigaction *old) {
    return __sigaction(signal, action, old);
}

#if !HB_SANITIZED /* AddressSanitizer installs its own, and nothing is counted */

/* The module's state: each signal's handler, as the program installed it. */
static struct { struct sigaction installed[NSIG]; } handlers;

static void signal_trampoline(int signal, siginfo_t *info, void *context) {
    int interrupted = hb_this_thread.interrupted_guard;
    /* The harness's work, interrupted: the handler counts at its depth. */
    hb_this_thread.interrupted_guard = hb_guard_depth;
    const struct sigaction *program = &handlers.installed[signal];
    if (program->sa_flags & SA_SIGINFO)
        program->sa_sigaction(signal, info, context);
    else
        program->sa_handler(signal);
    hb_this_thread.interrupted_guard = interrupted;
}

static bool is_handler(const struct sigaction *action) {
    return (action->sa_flags & SA_SIGINFO) ||
           (action->sa_handler != SIG_DFL && action->sa_handler != SIG_IGN);
}

#pragma GCC visibility push(default)

int sigaction(int signal, const struct sigaction *action, struct sigaction *old) {
    if (signal <= 0 || signal >= NSIG)
        return __sigaction(signal, action, old);
    struct sigaction previous, wrapped;
    if (action != NULL && is_handler(action)) {
        wrapped = *action;
        wrapped.sa_flags |= SA_SIGINFO;
        wrapped.sa_sigaction = signal_trampoline;
    }
    int status =
        __sigaction(signal, action != NULL && is_handler(action) ? &wrapped : action, &previous);
    if (status != 0)
        return status;
    if (old != NULL) /* the trampoline stands for what the program installed */
        *old = previous.sa_sigaction == signal_trampoline && (previous.sa_flags & SA_SIGINFO)
                   ? handlers.installed[signal]
                   : previous;
    if (action != NULL)
        handlers.installed[signal] = *action;
    return 0;
}

/* glibc's signal(): BSD semantics, the handler stays and calls restart. */
sighandler_t signal(int signal, sighandler_t handler) {
    struct sigaction action = {.sa_handler = handler, .sa_flags = SA_RESTART}, old;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, signal);
    return sigaction(signal, &action, &old) == 0 ? old.sa_handler : SIG_ERR;
}

#pragma GCC visibility pop

#endif /* !HB_SANITIZED */
