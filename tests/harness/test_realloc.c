/* realloc and calloc: every way they can go, counted exactly. */
#define HB_SUITE_NAME "realloc and calloc"
#include "measure.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *block;
static void *result;
/* volatile: read at run time, so GCC cannot warn about the sizes it sees. */
static volatile size_t huge = SIZE_MAX / 2;

static void grow_100_to_5000(void) { result = realloc(block, 5000); }
static void shrink_5000_to_10(void) { result = realloc(block, 10); }
static void allocate_100(void) { block = malloc(100); }

HB_TEST(test_realloc_grow_counts_free_of_old_and_new_allocation) {
    block = malloc(100);
    strcpy(block, "kept");
    hb_usage usage = measure(grow_100_to_5000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result);
    CU_ASSERT_STRING_EQUAL(result, "kept");
    /* The old block predates the scope: its free is not the scope's. */
    CU_ASSERT_EQUAL(usage.allocations, 1);
    CU_ASSERT_EQUAL(usage.frees, 0);
    CU_ASSERT_EQUAL(usage.peak_bytes, 5000);
    CU_ASSERT_EQUAL(usage.live_bytes, 5000);
    free(result);
}

static void malloc_then_grow_then_shrink(void) {
    block = malloc(100);
    grow_100_to_5000();
    block = result;
    shrink_5000_to_10();
}

HB_TEST(test_realloc_inside_scope_never_counts_old_and_new_together) {
    hb_usage usage = measure(malloc_then_grow_then_shrink);
    CU_ASSERT_EQUAL(usage.allocations, 3);
    CU_ASSERT_EQUAL(usage.frees, 2);
    CU_ASSERT_EQUAL(usage.total_bytes, 100 + 5000 + 10);
    CU_ASSERT_EQUAL(usage.peak_bytes, 5000); /* not 5100 */
    CU_ASSERT_EQUAL(usage.live_bytes, 10);
    CU_ASSERT_EQUAL(usage.live_blocks, 1);
    free(result);
}

static void grow_by_one_byte(void) {
    block = malloc(64);
    result = realloc(block, 65);
}

HB_TEST(test_realloc_in_place_is_counted_like_a_move) {
    hb_usage usage = measure(grow_by_one_byte);
    CU_ASSERT_EQUAL(usage.allocations, 2);
    CU_ASSERT_EQUAL(usage.frees, 1);
    CU_ASSERT_EQUAL(usage.live_bytes, 65);
    CU_ASSERT_EQUAL(usage.peak_bytes, 65);
    free(result);
}

static void realloc_too_big(void) {
    block = malloc(100);
    errno = 0;
    result = realloc(block, huge);
}

HB_TEST(test_failed_realloc_keeps_the_old_block_and_its_count) {
    hb_usage usage = measure(realloc_too_big);
    CU_ASSERT_PTR_NULL(result);
    CU_ASSERT_EQUAL(errno, ENOMEM);
    CU_ASSERT_EQUAL(usage.allocations, 1);
    CU_ASSERT_EQUAL(usage.frees, 0);
    CU_ASSERT_EQUAL(usage.live_bytes, 100);
    free(block); /* still a live block: freeing it must work */
}

static void realloc_to_zero(void) {
    block = malloc(100);
    result = realloc(block, 0);
}

/* glibc's choice, documented in harness/core/entry_points.c: realloc(p, 0) frees p. */
HB_TEST(test_realloc_to_zero_frees_and_returns_null) {
    hb_usage usage = measure(realloc_to_zero);
    CU_ASSERT_PTR_NULL(result);
    CU_ASSERT_EQUAL(usage.allocations, 1);
    CU_ASSERT_EQUAL(usage.frees, 1);
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
    CU_ASSERT_EQUAL(usage.peak_bytes, 100);
}

static void realloc_null(void) { result = realloc(NULL, 40); }
static void malloc_zero(void) { result = malloc(0); }

HB_TEST(test_realloc_of_null_is_malloc_and_malloc_zero_is_a_block) {
    hb_usage usage = measure(realloc_null);
    CU_ASSERT_EQUAL(usage.allocations, 1);
    CU_ASSERT_EQUAL(usage.live_bytes, 40);
    free(result);
    usage = measure(malloc_zero);
    CU_ASSERT_PTR_NOT_NULL(result);
    CU_ASSERT_EQUAL(usage.allocations, 1);
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
    CU_ASSERT_EQUAL(usage.live_blocks, 1);
    free(result);
}

static void overflowing_arrays(void) {
    errno = 0;
    result = calloc(huge, 3);
    CU_ASSERT_EQUAL(errno, ENOMEM);
    block = malloc(8);
    errno = 0;
    CU_ASSERT_PTR_NULL(reallocarray(block, huge, 3));
    CU_ASSERT_EQUAL(errno, ENOMEM);
}

HB_TEST(test_overflowing_calloc_and_reallocarray_fail_and_count_nothing) {
    hb_usage usage = measure(overflowing_arrays);
    CU_ASSERT_PTR_NULL(result);
    CU_ASSERT_EQUAL(usage.allocations, 1); /* the malloc(8) only */
    CU_ASSERT_EQUAL(usage.total_bytes, 8);
    free(block);
}

static void huge_malloc(void) { result = malloc(huge); }

HB_TEST(test_failed_malloc_counts_nothing) {
    errno = 0;
    hb_usage usage = measure(huge_malloc);
    CU_ASSERT_PTR_NULL(result);
    CU_ASSERT_EQUAL(errno, ENOMEM);
    CU_ASSERT_EQUAL(usage.allocations, 0);
    CU_ASSERT_EQUAL(usage.peak_bytes, 0);
}

/* volatile: Clang rejects a constant alignment that is not a power of two
 * at compile time, and this is what the harness must reject at run time. */
static volatile size_t not_a_power_of_two = 48;

static void bad_alignments(void) {
    CU_ASSERT_EQUAL(posix_memalign(&result, 24, 8), EINVAL);
    CU_ASSERT_EQUAL(posix_memalign(&result, 2, 8), EINVAL); /* < sizeof(void *) */
    errno = 0;
    CU_ASSERT_PTR_NULL(aligned_alloc(not_a_power_of_two, 96));
    CU_ASSERT_EQUAL(errno, EINVAL);
}

HB_TEST(test_bad_alignments_fail_and_count_nothing) {
    hb_usage usage = measure(bad_alignments);
    CU_ASSERT_EQUAL(usage.allocations, 0);
}

HB_TEST(test_allocation_before_a_scope_does_not_count_when_freed_inside) {
    allocate_100();
    hb_scope *scope = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    free(block);
    hb_usage usage = hb_scope_finish(scope);
    CU_ASSERT_EQUAL(usage.frees, 0);
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
}
