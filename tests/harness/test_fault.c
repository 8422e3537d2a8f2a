/* Fault injection: the chosen allocations fail, exactly, and nothing else. */
#define HB_SUITE_NAME "fault injection"
#include "measure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
