/* Scopes: nesting, peaks relative to their start, leaks, sites, threads, fork. */
#define HB_SUITE_NAME "scopes"
#include "measure.h"

#include "core/core.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

HB_TEST(test_nested_scopes_count_inner_blocks_in_both) {
    void *before = malloc(1000);
    hb_scope *outer = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    void *a = malloc(300);
    hb_scope *inner = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    CU_ASSERT_FALSE(hb_scope_end(outer)); /* not innermost: refused */
    void *b = malloc(200);
    free(a); /* counted only in outer, which counted its allocation */
    CU_ASSERT_TRUE(hb_scope_end(inner));
    free(before); /* older than both scopes: counted in neither */
    void *c = malloc(50);
    CU_ASSERT_TRUE(hb_scope_end(outer));
    hb_usage in = hb_scope_usage(inner), out = hb_scope_usage(outer);
    hb_scope_release(inner);
    hb_scope_release(outer);
    free(b);
    free(c);

    CU_ASSERT_EQUAL(in.allocations, 1);
    CU_ASSERT_EQUAL(in.frees, 0);
    CU_ASSERT_EQUAL(in.peak_bytes, 200);
    CU_ASSERT_EQUAL(in.live_bytes, 200);
    CU_ASSERT_EQUAL(out.allocations, 3);
    CU_ASSERT_EQUAL(out.frees, 1);
    CU_ASSERT_EQUAL(out.peak_bytes, 500);
    CU_ASSERT_EQUAL(out.live_bytes, 250);
    CU_ASSERT_EQUAL(out.total_bytes, 550);
}

HB_TEST(test_peak_is_relative_to_what_was_live_at_the_start) {
    void *ballast = malloc(1 << 20);
    hb_scope *scope = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    free(malloc(10));
    CU_ASSERT_EQUAL(hb_scope_finish(scope).peak_bytes, 10);
    free(ballast);
}

/* Two sites, each a single call site (a site is a whole call stack, so one
 * function called from two lines is two sites; the volatile trip count
 * keeps GCC from unrolling the loop into several call sites).  `small`
 * allocates 24 bytes three times and frees the first; then `big` peaks at
 * 3000 bytes and frees them. */
static void *kept[3];
static volatile int rounds = 3;
static void big(void) { free(malloc(3000)); }
static void small(int i) { kept[i] = malloc(24); }
static void two_sites(void) {
    for (int i = 0; i < rounds; i++)
        small(i);
    free(kept[0]);
    big();
}

HB_TEST(test_sites_at_the_peak_and_leaked_sites) {
    hb_scope *scope = measure_with_stacks(two_sites);
    hb_usage usage = hb_scope_usage(scope);
    CU_ASSERT_EQUAL(usage.peak_bytes, 3048);
    CU_ASSERT_EQUAL(usage.live_bytes, 48);
    CU_ASSERT_EQUAL(usage.live_blocks, 2);

    hb_site sites[4];
    CU_ASSERT_EQUAL(hb_scope_sites(scope, HB_SITES_AT_PEAK, sites, 4), 2);
    CU_ASSERT_EQUAL(sites[0].bytes, 3000);
    CU_ASSERT_EQUAL(sites[0].blocks, 1);
    CU_ASSERT_EQUAL(sites[1].bytes, 48);
    CU_ASSERT_EQUAL(sites[1].blocks, 2);
    uint32_t big_stack = sites[0].stack_id, small_stack = sites[1].stack_id;
    CU_ASSERT_NOT_EQUAL(big_stack, small_stack);

    CU_ASSERT_EQUAL(hb_scope_sites(scope, HB_SITES_LIVE, sites, 4), 1);
    CU_ASSERT_EQUAL(sites[0].stack_id, small_stack);
    CU_ASSERT_EQUAL(sites[0].bytes, 48);
    CU_ASSERT_EQUAL(sites[0].blocks, 2);

    CU_ASSERT_EQUAL(hb_scope_sites(scope, HB_SITES_ALLOCATED, sites, 1), 2);
    CU_ASSERT_EQUAL(sites[0].stack_id, small_stack);
    CU_ASSERT_EQUAL(sites[0].blocks, 3);
    hb_scope_release(scope);
    free(kept[1]);
    free(kept[2]);
}

/* volatile: a loop of a known count may be unrolled (Clang does it even
 * with -fno-unroll-loops), and each copy of the call would be a stack. */
static volatile int twice = 2;

HB_TEST(test_equal_stacks_share_one_id) {
    hb_site sites[2];
    for (int i = 0; i < twice; i++) {
        hb_scope *scope = measure_with_stacks(big);
        CU_ASSERT_EQUAL(hb_scope_sites(scope, HB_SITES_ALLOCATED, &sites[i], 1), 1);
        hb_scope_release(scope);
    }
    CU_ASSERT_NOT_EQUAL(sites[0].stack_id, 0);
    CU_ASSERT_EQUAL(sites[0].stack_id, sites[1].stack_id);
}

enum { THREADS = 8, PER_THREAD = 20000 };

/* Threads are started before the scope (pthread_create allocates for the
 * thread itself) and wait at the barrier until the scope is open. */
static pthread_barrier_t start_line;

/* Each thread allocates sizes 1..100 in turn, then frees them all. */
static void *churn(void *unused) {
    (void)unused;
    static __thread void *blocks[PER_THREAD];
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < PER_THREAD; i++)
        blocks[i] = malloc((size_t)(i % 100) + 1);
    for (int i = 0; i < PER_THREAD; i += 2)
        free(blocks[i]);
    for (int i = 1; i < PER_THREAD; i += 2)
        free(blocks[i]);
    return NULL;
}

static hb_usage run_threads_in_scope(unsigned options) {
    pthread_t threads[THREADS];
    pthread_barrier_init(&start_line, NULL, THREADS + 1);
    for (int i = 0; i < THREADS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[i], NULL, churn, NULL), 0);
    hb_scope *scope = hb_scope_begin(options);
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    hb_usage usage = hb_scope_finish(scope);
    pthread_barrier_destroy(&start_line);
    return usage;
}

HB_TEST(test_many_threads_at_once_give_exact_totals) {
    size_t per_thread_bytes = 0;
    for (int i = 0; i < PER_THREAD; i++)
        per_thread_bytes += (size_t)(i % 100) + 1;
    unsigned options[] = {HB_SCOPE_COUNTS_ONLY, HB_SCOPE_STACKS, HB_SCOPE_COUNTS_ONLY};
    for (int round = 0; round < 3; round++) {
        hb_usage usage = run_threads_in_scope(options[round]);
        CU_ASSERT_EQUAL(usage.allocations, THREADS * PER_THREAD);
        CU_ASSERT_EQUAL(usage.frees, THREADS * PER_THREAD);
        CU_ASSERT_EQUAL(usage.total_bytes, THREADS * per_thread_bytes);
        CU_ASSERT_EQUAL(usage.live_bytes, 0);
        CU_ASSERT(usage.peak_bytes >= per_thread_bytes);
        CU_ASSERT(usage.peak_bytes <= THREADS * per_thread_bytes);
    }
}

HB_TEST(test_a_forked_child_counts_on_and_leaves_the_parent_alone) {
    hb_scope *scope = hb_scope_begin(HB_SCOPE_STACKS);
    void *before_fork = malloc(100);
    pid_t child = fork();
    CU_ASSERT_FATAL(child >= 0);
    if (child == 0) { /* the child's copy of the scope goes on counting */
        void *in_child = malloc(7);
        hb_usage usage = hb_scope_usage(scope);
        _exit(in_child != NULL && usage.allocations == 2 && usage.live_bytes == 107 ? 0 : 1);
    }
    int status;
    CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(before_fork);
    hb_usage usage = hb_scope_finish(scope);
    CU_ASSERT_EQUAL(usage.allocations, 1);
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
}
