/* Exercise 08: Many small allocations.  Correctness first, then memory. */
#define HB_SUITE_NAME "08-many-small-allocations"
#include "heapbook.h"

#include "int_stack.h"

#include <limits.h>

HB_TEST(test_new_stack_is_empty) {
    int_stack *stack = int_stack_new();
    HB_ASSERT_NOT_NULL_FATAL(stack);
    int value = 42;
    HB_ASSERT_EQ(int_stack_size(stack), 0);
    HB_ASSERT(!int_stack_pop(stack, &value));
    HB_ASSERT_EQ(value, 42); /* a failed pop leaves *value alone */
    int_stack_free(stack);
    int_stack_free(NULL);
}

HB_TEST(test_last_in_first_out) {
    int_stack *stack = int_stack_new();
    HB_ASSERT_NOT_NULL_FATAL(stack);
    int value;
    HB_ASSERT(int_stack_push(stack, INT_MIN));
    HB_ASSERT(int_stack_push(stack, 0));
    HB_ASSERT(int_stack_push(stack, INT_MAX));
    HB_ASSERT_EQ(int_stack_size(stack), 3);
    HB_ASSERT(int_stack_pop(stack, &value));
    HB_ASSERT_EQ(value, INT_MAX);
    HB_ASSERT(int_stack_pop(stack, &value));
    HB_ASSERT_EQ(value, 0);
    HB_ASSERT(int_stack_push(stack, 7));
    HB_ASSERT(int_stack_pop(stack, &value));
    HB_ASSERT_EQ(value, 7);
    HB_ASSERT(int_stack_pop(stack, &value));
    HB_ASSERT_EQ(value, INT_MIN);
    HB_ASSERT(!int_stack_pop(stack, &value));
    HB_ASSERT_EQ(int_stack_size(stack), 0);
    int_stack_free(stack);
}

/* The value pushed i-th: i itself, or with a salt, a value spread over the
 * whole range of int, negatives too. */
static int value_of(int i, unsigned salt) {
    return salt == 0 ? i : (int)((unsigned)i * 2654435761u + salt);
}

/* Pushes value_of(0), value_of(1), ... until `count` values are in or a
 * push fails; returns how many went in. */
static int push_up_to(int_stack *stack, int count, unsigned salt) {
    int pushed = 0;
    while (pushed < count && int_stack_push(stack, value_of(pushed, salt)))
        pushed++;
    return pushed;
}

/* Pops everything; returns how many values were not the expected
 * value_of(pushed - 1), ..., value_of(0). */
static int pop_all_out_of_order(int_stack *stack, int pushed, unsigned salt) {
    int value, out_of_order = 0;
    for (int i = pushed - 1; i >= 0; i--)
        if (!int_stack_pop(stack, &value) || value != value_of(i, salt))
            out_of_order++;
    return out_of_order;
}

/* Freeing a stack that still holds values frees them too (the leak limit of
 * the memory test checks it on a big one). */
HB_TEST(test_free_while_full) {
    int_stack *stack = int_stack_new();
    HB_ASSERT_NOT_NULL_FATAL(stack);
    HB_ASSERT_EQ(push_up_to(stack, 1000, 0), 1000);
    HB_ASSERT_EQ(int_stack_size(stack), 1000);
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
    HB_ASSERT_NOT_NULL_FATAL(scope);
    int_stack *stack = int_stack_new();
    HB_ASSERT_NOT_NULL_FATAL(stack);
    HB_ASSERT_EQ(push_up_to(stack, 1000, 0), 1000);
    block_total visited = {0};
    int_stack_visit_blocks(stack, add_block, &visited);
    hb_usage allocated = hb_scope_usage(scope);
    HB_ASSERT_EQ(visited.bytes, allocated.live_bytes);
    HB_ASSERT_EQ(visited.blocks, allocated.live_blocks);
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
    int pushed = push_up_to(stack, 40, 0);
    HB_ASSERT_EQ(int_stack_size(stack), (size_t)pushed);
    HB_ASSERT_EQ(pop_all_out_of_order(stack, pushed, 0), 0);
    int_stack_free(stack);
}

HB_TEST(test_push_copes_when_memory_runs_out) {
    hb_fail_each_allocation(push_until_memory_runs_out);
}

/* Pushes `count` values, pops them all back, frees the stack. */
static void push_and_pop(int count, unsigned salt) {
    int_stack *stack = int_stack_new();
    HB_ASSERT_NOT_NULL_FATAL(stack);
    int pushed = push_up_to(stack, count, salt);
    HB_ASSERT_EQ(pushed, count);
    HB_ASSERT_EQ(pop_all_out_of_order(stack, pushed, salt), 0);
    HB_ASSERT_EQ(int_stack_size(stack), 0);
    int_stack_free(stack);
}

enum { PENDING = 300000 };

/* A depth-first walk over a big graph can have hundreds of thousands of
 * entries pending.  Holding them needs a few big blocks, not one per value;
 * 3 MiB holds an array of twice what it needs, not room for a million. */
HB_MEMORY_TEST(test_stack_memory, .allocations = "100", .peak = "3 MiB", .leaks = "0 B") {
    push_and_pop(PENDING, 0);
}

/* Another number of values on every run, from 200,000 to 500,000. */
HB_MEMORY_TEST(test_random_stack_memory, .allocations = "100", .peak = "3 MiB", .leaks = "0 B") {
    int count = (int)hb_random_named("values", 200000, 500000);
    push_and_pop(count, (unsigned)hb_random_named("seed", 1, UINT32_MAX));
}
