/* A thread's stack counts while a scope is open, until the thread is
 * joined or has ended detached (harness/core/trampolines.c). */
#define HB_SUITE_NAME "threads"
#include "measure.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <threads.h>

static void *nothing(void *unused) { return unused; }

static size_t default_stack_bytes(void) {
    pthread_attr_t defaults;
    size_t size = 0;
    CU_ASSERT_EQUAL_FATAL(pthread_getattr_default_np(&defaults), 0);
    pthread_attr_getstacksize(&defaults, &size);
    pthread_attr_destroy(&defaults);
    return size;
}

static void start_and_join_with_defaults(void) {
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, nothing, NULL), 0);
    CU_ASSERT_EQUAL(pthread_join(thread, NULL), 0);
}

HB_TEST(test_a_thread_counts_the_default_stack_until_joined) {
    HB_REQUIRE_COUNTING();
    hb_usage usage = measure(start_and_join_with_defaults);
    CU_ASSERT_NOT_EQUAL(default_stack_bytes(), 0);
    CU_ASSERT_EQUAL(usage.peak_bytes, default_stack_bytes());
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
    CU_ASSERT_EQUAL(usage.allocations, 1);
}

/* A stack the program gives the thread is its own memory, counted (or
 * not) where it came from. */
static char own_stack[256 * 1024] __attribute__((aligned(64)));

static void start_on_its_own_stack(void) {
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstack(&attributes, own_stack, sizeof own_stack);
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, &attributes, nothing, NULL), 0);
    pthread_attr_destroy(&attributes);
    CU_ASSERT_EQUAL(pthread_join(thread, NULL), 0);
}

HB_TEST(test_a_stack_the_program_provides_is_not_counted_again) {
    HB_REQUIRE_COUNTING();
    hb_usage usage = measure(start_on_its_own_stack);
    CU_ASSERT_EQUAL(usage.peak_bytes, 0);
}

/* Detached, its stack is given back as it ends: the scope waits for it. */
static atomic_bool ended;

static void *end_soon(void *unused) {
    atomic_store(&ended, true);
    return unused;
}

HB_TEST(test_a_detached_thread_gives_its_stack_back_at_its_end) {
    HB_REQUIRE_COUNTING();
    hb_scope *scope = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, end_soon, NULL), 0);
    CU_ASSERT_EQUAL(pthread_detach(thread), 0);
    /* The stack is given back after its start routine returns: a moment
     * after `ended`.  Ten seconds is the test's own time limit. */
    while (hb_scope_usage(scope).live_bytes != 0)
        sched_yield();
    hb_usage usage = hb_scope_finish(scope);
    CU_ASSERT(atomic_load(&ended));
    CU_ASSERT_EQUAL(usage.peak_bytes, default_stack_bytes());
}

/* Detached by itself, perhaps before its creator has its id. */
static void *detach_itself(void *unused) {
    pthread_detach(pthread_self());
    return unused;
}

HB_TEST(test_a_thread_that_detaches_itself_gives_its_stack_back_at_its_end) {
    HB_REQUIRE_COUNTING();
    hb_scope *scope = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, detach_itself, NULL), 0);
    while (hb_scope_usage(scope).live_bytes != 0)
        sched_yield();
    hb_usage usage = hb_scope_finish(scope);
    CU_ASSERT_EQUAL(usage.frees, 1);
}

/* Started before the scope: not the scope's. */
static pthread_t started_before;

static void join_one_started_before(void) {
    CU_ASSERT_EQUAL(pthread_join(started_before, NULL), 0);
}

HB_TEST(test_a_thread_started_before_the_scope_is_not_its) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_EQUAL_FATAL(pthread_create(&started_before, NULL, nothing, NULL), 0);
    hb_usage usage = measure(join_one_started_before);
    CU_ASSERT_EQUAL(usage.peak_bytes, 0);
    CU_ASSERT_EQUAL(usage.frees, 0);
}

/* C11's threads are the same: counted, their result passed back. */
static int answer(void *unused) {
    (void)unused;
    return 42;
}

static void start_and_join_a_c11_thread(void) {
    thrd_t thread;
    CU_ASSERT_EQUAL_FATAL(thrd_create(&thread, answer, NULL), thrd_success);
    int result = 0;
    CU_ASSERT_EQUAL(thrd_join(thread, &result), thrd_success);
    CU_ASSERT_EQUAL(result, 42);
}

HB_TEST(test_a_c11_thread_counts_its_stack_until_joined) {
    HB_REQUIRE_COUNTING();
    hb_usage usage = measure(start_and_join_a_c11_thread);
    CU_ASSERT_EQUAL(usage.peak_bytes, default_stack_bytes());
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
}
