/* Each test in a process group of its own, and a harness that survives
 * what tests do with processes: helpers left running, fork while another
 * thread allocates. */
#define HB_SUITE_NAME "isolation"
#include "measure.h"
#include "runner/isolate.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The harness's own tests make files in their processes (a helper's pid,
 * a file to map, a times file): for the whole binary, as only a test binary
 * of the harness's can say (harness/runner/sandbox.c). */
const bool hb_test_process_writes_files = true;

/* Where the helper's pid is kept from one test to the next: each test is a
 * child of the same runner. */
static void helper_file(char *path, size_t size) {
    snprintf(path, size, "%s/heapbook-helper-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getppid());
}

/* A helper the test leaves running holds the harness's channel open: the
 * test must still end when it returns, not at its deadline (that would be
 * reported as a time-out), and the helper must go with it. */
HB_TEST(test_a_helper_left_running_ends_with_its_test) {
    if (!hb_runner_isolated())
        return;
    pid_t helper = fork();
    if (helper == 0) {
        sleep(1000);
        _exit(0);
    }
    CU_ASSERT_FATAL(helper > 0);
    char path[256];
    helper_file(path, sizeof path);
    FILE *file = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    fprintf(file, "%d %lld\n", (int)helper, (long long)now.tv_sec);
    fclose(file);
}

HB_TEST(test_the_helper_is_gone) {
    if (!hb_runner_isolated())
        return;
    char path[256];
    helper_file(path, sizeof path);
    FILE *file = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    int helper = 0;
    long long written = 0;
    CU_ASSERT_EQUAL(fscanf(file, "%d %lld", &helper, &written), 2);
    fclose(file);
    unlink(path);
    /* Not a speed test: had the runner waited for the pipe to close, this
     * test would start only after the helper's test's deadline (its time
     * limit and the grace after it, HEAPBOOK_TIMEOUT + 5 s). */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    CU_ASSERT(now.tv_sec - written < HB_DEFAULT_TIMEOUT_SECONDS);
    /* Killed with its test's group; reaped by init soon after. */
    bool gone = false;
    for (int tries = 0; tries < 200 && !gone; tries++) {
        gone = kill(helper, 0) != 0 && errno == ESRCH;
        if (!gone)
            usleep(10 * 1000);
    }
    CU_ASSERT_TRUE(gone);
}

enum { FORKS = 300 };

static atomic_bool churning;

/* Allocates and frees with stacks (the stack table, the scopes' sites and
 * the misuse ring's locks) and reads symbols (libdw's lock), without end. */
static void *churn(void *unused) {
    (void)unused;
    for (unsigned n = 0; atomic_load(&churning); n++) {
        void *block = malloc(16 + n % 64);
        free(block);
        if (n % 64 == 0) {
            hb_location location;
            hb_symbolize((uintptr_t)churn, false, &location);
        }
    }
    return NULL;
}

/* A child stuck on a lock a fork copied held never ends: the test then
 * runs past its time limit and fails as an endless loop.  (No deadline of
 * its own: on a loaded machine a child may be slow, never stuck.) */
static bool finished(pid_t child) {
    int status;
    while (waitpid(child, &status, 0) < 0) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void fork_while_another_thread_churns(void) {
    atomic_store(&churning, true);
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, churn, NULL), 0);
    unsigned stuck = 0;
    for (int i = 0; i < FORKS && stuck == 0; i++) {
        pid_t child = fork();
        if (child == 0) {
            void *block = malloc(100);
            free(block);
            hb_location location;
            hb_symbolize((uintptr_t)churn, false, &location);
            _exit(0);
        }
        if (child < 0 || !finished(child))
            stuck++;
    }
    atomic_store(&churning, false);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(stuck, 0);
}

HB_TEST(test_fork_while_another_thread_allocates_and_symbolizes) {
    hb_scope *scope = measure_with_stacks(fork_while_another_thread_churns);
    hb_scope_release(scope);
}
