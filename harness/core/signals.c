/* signals.c: the program's signal handlers, run through a trampoline so
 * that what a handler allocates counts wherever the signal lands
 * (internal.h: hb_thread_state).
 *
 * sigaction() and signal() are defined here, in the executable, so every
 * handler the program installs is the trampoline's to call; sigaction()
 * still reports the program's own handler.  The harness installs its own
 * handlers with hb_sigaction(), unwrapped. */
#include "internal.h"

#include <signal.h>
#include <string.h>

int hb_sigaction(int signal, const struct sigaction *action, struct sigaction *old) {
    return __sigaction(signal, action, old);
}

#if !HB_SANITIZED /* AddressSanitizer installs its own, and nothing is counted */

/* The module's state: each signal's handler, as the program installed it. */
static struct { struct sigaction installed[NSIG]; } handlers;

static void trampoline(int signal, siginfo_t *info, void *context) {
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
        wrapped.sa_sigaction = trampoline;
    }
    int status =
        __sigaction(signal, action != NULL && is_handler(action) ? &wrapped : action, &previous);
    if (status != 0)
        return status;
    if (old != NULL) /* the trampoline stands for what the program installed */
        *old = previous.sa_sigaction == trampoline && (previous.sa_flags & SA_SIGINFO)
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
