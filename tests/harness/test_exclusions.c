/* What must not move a scope's figures: CUnit's own allocations, stdio,
 * and the compiler's optimiser. */
#define HB_SUITE_NAME "exclusions"
#include "measure.h"

#include <CUnit/TestDB.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void use_cunit(void) {
    /* A registry of its own: CUnit allocates it, its suites and tests. */
    CU_pTestRegistry registry = CU_create_new_registry();
    CU_ASSERT_PTR_NOT_NULL(registry);
    CU_destroy_existing_registry(&registry);
}

HB_TEST(test_allocations_made_by_cunit_do_not_count) {
    hb_usage usage = measure(use_cunit);
    CU_ASSERT_EQUAL(usage.allocations, 0);
    CU_ASSERT_EQUAL(usage.peak_bytes, 0);
}

static void print_things(void) {
    printf(" [printing inside a scope: %d %s %.3f]", 42, "text", 2.5);
    fflush(stdout);
}

/* The runner gives stdout a static buffer, so printf never allocates one,
 * whether stdout is a terminal or a pipe (tests/check.sh runs both). */
HB_TEST(test_printf_does_not_count) {
    hb_usage usage = measure(print_things);
    CU_ASSERT_EQUAL(usage.allocations, 0);
}

/* Compiled with the flags of measured code: -O2 would delete this pair
 * without -fno-builtin, and the scope would see nothing. */
static void allocate_and_free_unused(void) {
    char *unused = malloc(4096);
    free(unused);
    unused = calloc(1, 64);
    free(unused);
}

HB_TEST(test_the_compiler_cannot_delete_an_allocation) {
    hb_usage usage = measure(allocate_and_free_unused);
    CU_ASSERT_EQUAL(usage.allocations, 2);
    CU_ASSERT_EQUAL(usage.peak_bytes, 4096);
}

static void string_copies(void) {
    free(strdup("twelve chars"));
    free(strndup("abcdef", 3));
}

static void formatted_string(void) {
    char *text = NULL;
    CU_ASSERT(asprintf(&text, "%d", 12345) == 5);
    free(text);
}

/* libc's allocations on the caller's behalf go through the harness too. */
HB_TEST(test_libc_functions_that_allocate_are_counted) {
    hb_usage usage = measure(string_copies);
    CU_ASSERT_EQUAL(usage.allocations, 2);
    CU_ASSERT_EQUAL(usage.total_bytes, 13 + 4);
    usage = measure(formatted_string); /* glibc: a buffer, then shrinks it */
    CU_ASSERT(usage.allocations >= 1);
    CU_ASSERT_EQUAL(usage.frees, usage.allocations);
}
