/* Fault injection: the chosen allocations fail, exactly, and nothing else. */
#define HB_SUITE_NAME "fault injection"
#include "measure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void *blocks[4];

static void allocate_four(void) {
    for (int i = 0; i < 4; i++) {
        errno = 0;
        blocks[i] = malloc(10);
        if (blocks[i] == NULL)
            CU_ASSERT_EQUAL(errno, ENOMEM);
    }
}

static void free_four(void) {
    for (int i = 0; i < 4; i++)
        free(blocks[i]);
}

HB_TEST(test_fail_nth_fails_only_that_allocation) {
    hb_fault_fail_nth(2);
    hb_usage usage = measure(allocate_four);
    hb_fault_off();
    CU_ASSERT_PTR_NOT_NULL(blocks[0]);
    CU_ASSERT_PTR_NULL(blocks[1]);
    CU_ASSERT_PTR_NOT_NULL(blocks[2]);
    CU_ASSERT_PTR_NOT_NULL(blocks[3]);
    CU_ASSERT_EQUAL(usage.allocations, 3); /* a failed allocation is not counted */
    CU_ASSERT_EQUAL(hb_fault_allocations(), 4);
    CU_ASSERT_EQUAL(hb_fault_failures(), 1);
    free_four();
}

HB_TEST(test_fail_from_fails_every_later_allocation) {
    hb_fault_fail_from(3);
    allocate_four();
    hb_fault_off();
    CU_ASSERT_PTR_NOT_NULL(blocks[0]);
    CU_ASSERT_PTR_NOT_NULL(blocks[1]);
    CU_ASSERT_PTR_NULL(blocks[2]);
    CU_ASSERT_PTR_NULL(blocks[3]);
    CU_ASSERT_EQUAL(hb_fault_failures(), 2);
    free_four();
    void *after = malloc(1); /* off again */
    CU_ASSERT_PTR_NOT_NULL(after);
    free(after);
}

static char *copy_in_one_place(const char *text) { return strdup(text); }
static void *allocate_elsewhere(void) { return malloc(8); }

HB_TEST(test_fail_in_fails_only_that_function) {
    hb_fault_fail_in("allocate_elsewhere");
    char *copy = copy_in_one_place("kept");
    void *other = allocate_elsewhere();
    hb_fault_off();
    CU_ASSERT_PTR_NOT_NULL(copy);
    CU_ASSERT_PTR_NULL(other);
    free(copy);
}

HB_TEST(test_every_allocator_can_be_failed) {
    void *old = malloc(4);
    void *p = NULL;
    hb_fault_fail_from(1);
    CU_ASSERT_PTR_NULL(calloc(2, 2));
    CU_ASSERT_PTR_NULL(realloc(old, 100)); /* the old block survives */
    CU_ASSERT_PTR_NULL(aligned_alloc(64, 64));
    CU_ASSERT_EQUAL(posix_memalign(&p, 64, 64), ENOMEM);
    CU_ASSERT_PTR_NULL(strdup("x"));
    hb_fault_off();
    CU_ASSERT_EQUAL(hb_fault_failures(), 5);
    free(old);
}

/* Builds a two-node list and frees it, cleaning up on every failure. */
static void careful_pair(void) {
    char *first = malloc(16);
    if (first == NULL)
        return;
    char *second = malloc(16);
    if (second == NULL) {
        free(first);
        return;
    }
    free(second);
    free(first);
}

HB_TEST(test_fail_each_allocation_passes_code_that_cleans_up) {
    hb_fail_each_allocation(careful_pair);
    /* One run of two allocations here; each failed in a child of its own. */
    CU_ASSERT_EQUAL(hb_fault_allocations(), 2);
    CU_ASSERT_EQUAL(hb_fault_failures(), 0);
}

/* Every allocation fails once, in a child of its own: the code itself runs
 * once here, however many allocations it makes. */
enum { MANY = 500 };
static unsigned runs;
static void *many[MANY];

static void allocate_many_and_cope(void) {
    runs++;
    size_t made = 0;
    for (; made < MANY; made++) {
        many[made] = malloc(8);
        if (many[made] == NULL)
            break;
    }
    while (made > 0)
        free(many[--made]);
}

HB_TEST(test_each_allocation_fails_in_one_run) {
    HB_REQUIRE_COUNTING();
    runs = 0;
    hb_fail_each_allocation(allocate_many_and_cope);
    CU_ASSERT_EQUAL(runs, 1);
}

/* Which allocations fail (fault_each.c): every distinct call stack, at its
 * first four occurrences and then at each power of two, so that code
 * holding every block until its end is failed at 15 of its 10,000
 * allocations, and their error paths free at most twice the blocks of
 * one run: linear.  Each part counts itself in a page it shares with the
 * test's process (the parts are processes: a global would stay theirs). */
enum { HELD = 10000, DEPTH = 32 };
static void *held[HELD];
static _Atomic unsigned *parts_seen;

static void count_parts_in_shared_memory(void) {
    void *page =
        mmap(NULL, sizeof *parts_seen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_FATAL(page != MAP_FAILED);
    parts_seen = page;
    *parts_seen = 0;
}

static void hold_every_block(void) {
    size_t count = 0;
    for (; count < HELD; count++) {
        held[count] = malloc(16);
        if (held[count] == NULL) {
            (*parts_seen)++;
            break;
        }
    }
    while (count > 0)
        free(held[--count]);
}

/* 1, 2, 3, 4, then 8, 16, ..., 8192: 4 + 11 of 10,000. */
HB_TEST(test_a_loop_of_held_blocks_fails_at_its_first_and_doubling_occurrences) {
    HB_REQUIRE_COUNTING();
    count_parts_in_shared_memory();
    hb_fail_each_allocation(hold_every_block);
    CU_ASSERT_EQUAL(hb_fault_allocations(), HELD);
    CU_ASSERT_EQUAL(*parts_seen, 15);
    munmap((void *)parts_seen, sizeof *parts_seen);
}

/* A node per level of a recursion: a failure at each depth is the same
 * line reached the same way, its recursive calls folded. */
static void *recurse_and_hold(unsigned depth) {
    void *node = malloc(32);
    if (node == NULL) {
        (*parts_seen)++;
        return NULL;
    }
    if (depth + 1 < DEPTH && recurse_and_hold(depth + 1) == NULL && depth > 0) {
        free(node);
        return NULL;
    }
    free(node);
    return node;
}

static void recursive_holder(void) { recurse_and_hold(0); }

/* 1, 2, 3, 4, 8, 16, 32 of 32 levels (a stack is read 48 frames deep:
 * a deeper recursion is cut, and reads as another). */
HB_TEST(test_a_recursion_fails_at_its_first_and_doubling_depths) {
    HB_REQUIRE_COUNTING();
    count_parts_in_shared_memory();
    hb_fail_each_allocation(recursive_holder);
    CU_ASSERT_EQUAL(hb_fault_allocations(), DEPTH);
    CU_ASSERT_EQUAL(*parts_seen, 7);
    munmap((void *)parts_seen, sizeof *parts_seen);
}

/* Two call sites are two stacks: each failed at its own occurrences. */
static void two_sites(void) {
    for (int i = 0; i < 5; i++) {
        void *a = malloc(8);
        if (a == NULL) {
            (*parts_seen)++;
            return;
        }
        void *b = malloc(8);
        if (b == NULL)
            (*parts_seen)++;
        free(b);
        free(a);
    }
}

/* Each site's occurrences 1 to 4 of its 5: 8 of 10 allocations. */
HB_TEST(test_each_call_site_is_failed_on_its_own) {
    HB_REQUIRE_COUNTING();
    count_parts_in_shared_memory();
    hb_fail_each_allocation(two_sites);
    CU_ASSERT_EQUAL(hb_fault_allocations(), 10);
    CU_ASSERT_EQUAL(*parts_seen, 8);
    munmap((void *)parts_seen, sizeof *parts_seen);
}
