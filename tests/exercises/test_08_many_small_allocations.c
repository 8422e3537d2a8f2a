/* Exercise 08: Many small allocations.  Correctness first, then memory. */
#define HB_SUITE_NAME "08-many-small-allocations"
#include "heapbook.h"

#include "int_stack.h"

#include <limits.h>

HB_TEST(test_new_stack_is_empty) {
    int_stack *stack = int_stack_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(stack);
    int value = 42;
    CU_ASSERT_EQUAL(int_stack_size(stack), 0);
    CU_ASSERT_FALSE(int_stack_pop(stack, &value));
    CU_ASSERT_EQUAL(value, 42); /* a failed pop leaves *value alone */
    int_stack_free(stack);
    int_stack_free(NULL);
}

HB_TEST(test_last_in_first_out) {
    int_stack *stack = int_stack_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(stack);
    int value;
    CU_ASSERT_TRUE(int_stack_push(stack, INT_MIN));
    CU_ASSERT_TRUE(int_stack_push(stack, 0));
    CU_ASSERT_TRUE(int_stack_push(stack, INT_MAX));
    CU_ASSERT_EQUAL(int_stack_size(stack), 3);
    CU_ASSERT_TRUE(int_stack_pop(stack, &value));
    CU_ASSERT_EQUAL(value, INT_MAX);
    CU_ASSERT_TRUE(int_stack_pop(stack, &value));
    CU_ASSERT_EQUAL(value, 0);
    CU_ASSERT_TRUE(int_stack_push(stack, 7));
    CU_ASSERT_TRUE(int_stack_pop(stack, &value));
    CU_ASSERT_EQUAL(value, 7);
    CU_ASSERT_TRUE(int_stack_pop(stack, &value));
    CU_ASSERT_EQUAL(value, INT_MIN);
    CU_ASSERT_FALSE(int_stack_pop(stack, &value));
    CU_ASSERT_EQUAL(int_stack_size(stack), 0);
    int_stack_free(stack);
}

/* Pushes 0, 1, 2, ... until `count` values are in or a push fails; returns
 * how many went in. */
static int push_up_to(int_stack *stack, int count) {
    int pushed = 0;
    while (pushed < count && int_stack_push(stack, pushed))
        pushed++;
    return pushed;
}

/* Pops everything; returns how many values were not the expected
 * pushed - 1, pushed - 2, ..., 0. */
static int pop_all_out_of_order(int_stack *stack, int pushed) {
    int value, out_of_order = 0;
    for (int expected = pushed - 1; expected >= 0; expected--)
        if (!int_stack_pop(stack, &value) || value != expected)
            out_of_order++;
    return out_of_order;
}

/* Freeing a stack that still holds values frees them too (the leak limit of
 * the memory test checks it on a big one). */
HB_TEST(test_free_while_full) {
    int_stack *stack = int_stack_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(stack);
    CU_ASSERT_EQUAL(push_up_to(stack, 1000), 1000);
    CU_ASSERT_EQUAL(int_stack_size(stack), 1000);
    int_stack_free(stack);
}

typedef struct block_total {
    size_t bytes, blocks;
} block_total;

static void add_block(const void *block, size_t requested, void *context) {
    block_total *total = context;
    (void)block;
    total->bytes += requested;
    total->blocks++;
}

/* main.c trusts int_stack_visit_blocks() to report every block the stack
 * owns, at its requested size: the harness checks it against what it saw
 * allocated. */
HB_TEST(test_visit_reports_every_block) {
    HB_REQUIRE_COUNTING();
    hb_scope *scope = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scope);
    int_stack *stack = int_stack_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(stack);
    CU_ASSERT_EQUAL(push_up_to(stack, 1000), 1000);
    block_total visited = {0};
    int_stack_visit_blocks(stack, add_block, &visited);
    hb_usage allocated = hb_scope_usage(scope);
    CU_ASSERT_EQUAL(visited.bytes, allocated.live_bytes);
    CU_ASSERT_EQUAL(visited.blocks, allocated.live_blocks);
    int_stack_free(stack);
    hb_scope_end(scope);
    hb_scope_release(scope);
}

/* Pushes until memory runs out (or 40 values); what was pushed must still be
 * there, in order. */
static void push_until_memory_runs_out(void) {
    int_stack *stack = int_stack_new();
    if (stack == NULL)
        return;
    int pushed = push_up_to(stack, 40);
    CU_ASSERT_EQUAL(int_stack_size(stack), (size_t)pushed);
    CU_ASSERT_EQUAL(pop_all_out_of_order(stack, pushed), 0);
    int_stack_free(stack);
}

HB_TEST(test_push_copes_when_memory_runs_out) {
    hb_fail_each_allocation(push_until_memory_runs_out);
}

enum { PENDING = 300000 };

/* A depth-first walk over a big graph can have hundreds of thousands of
 * entries pending.  Holding them needs a few big blocks, not one per value. */
HB_MEMORY_TEST(test_stack_memory, .allocations = "100", .leaks = "0 B") {
    int_stack *stack = int_stack_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(stack);
    int pushed = push_up_to(stack, PENDING);
    CU_ASSERT_EQUAL(pushed, PENDING);
    CU_ASSERT_EQUAL(pop_all_out_of_order(stack, pushed), 0);
    CU_ASSERT_EQUAL(int_stack_size(stack), 0);
    int_stack_free(stack);
}
