/* Allocations made in a signal handler count exactly, wherever the signal
 * lands: in the program, or in the harness's own work on an allocation
 * (harness/core/trampolines.c). */
#define HB_SUITE_NAME "signals"
#include "measure.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

enum { HANDLER_BLOCK = 100, KEPT = 4096 };

static void *kept[KEPT];
static volatile sig_atomic_t handled;

static void allocate_in_handler(int signal) {
    (void)signal;
    if (handled < KEPT)
        kept[handled++] = malloc(HANDLER_BLOCK);
}

static void *volatile churned;

/* Allocates without a pause while a timer interrupts it every 100 us:
 * most signals land inside the harness's work on an allocation. */
static void churn_under_a_timer(void) {
    handled = 0;
    struct itimerval every = {{0, 100}, {0, 100}};
    CU_ASSERT_EQUAL_FATAL(setitimer(ITIMER_REAL, &every, NULL), 0);
    for (int i = 0; i < 200000 && handled < 500; i++) {
        churned = malloc(16 + (size_t)i % 64);
        free(churned);
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
}

static void install(void (*handler)(int)) {
    struct sigaction action = {.sa_handler = handler, .sa_flags = SA_RESTART};
    sigemptyset(&action.sa_mask);
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGALRM, &action, NULL), 0);
}

HB_TEST(test_allocations_in_a_signal_handler_all_count) {
    HB_REQUIRE_COUNTING();
    install(allocate_in_handler);
    hb_scope *scope = measure_with_stacks(churn_under_a_timer);
    hb_usage usage = hb_scope_usage(scope);
    hb_scope_release(scope);
    install(SIG_DFL);
    CU_ASSERT(handled > 0);
    /* Every block the handler made is live: exactly these bytes. */
    CU_ASSERT_EQUAL(usage.live_bytes, (size_t)handled * HANDLER_BLOCK);
    CU_ASSERT_EQUAL(usage.live_blocks, (uint64_t)handled);
    for (int i = 0; i < handled; i++)
        free(kept[i]);
}

static struct sigaction installed, reported;

/* What sigaction() says is installed is what the program installed. */
HB_TEST(test_sigaction_reports_the_programs_handler) {
    install(allocate_in_handler);
    CU_ASSERT_EQUAL(sigaction(SIGALRM, NULL, &reported), 0);
    CU_ASSERT_PTR_EQUAL((void *)reported.sa_handler, (void *)allocate_in_handler);
    CU_ASSERT(reported.sa_flags & SA_RESTART);
    CU_ASSERT_PTR_EQUAL((void *)signal(SIGALRM, SIG_DFL), (void *)allocate_in_handler);
    CU_ASSERT_EQUAL(sigaction(SIGALRM, NULL, &installed), 0);
    CU_ASSERT_PTR_EQUAL((void *)installed.sa_handler, (void *)SIG_DFL);
}
