/* Exercise 08: Many small allocations.
 *
 * The tests in tests/exercises/test_08_many_small_allocations.c pass for
 * correctness but test_stack_memory fails: this stack calls malloc far more
 * often than it should.  Run `make test EX=08`, read which allocation site
 * the failure blames, and change this file (not the test) until the suite
 * passes.  The lesson: docs/08-many-small-allocations.md.  */
#include "int_stack.h"

#include <stdlib.h>

/* One value, and the node under it. */
typedef struct node {
    struct node *below;
    int value;
} node;

struct int_stack {
    node *top; /* NULL when empty */
    size_t size;
};

int_stack *int_stack_new(void) {
    int_stack *stack = malloc(sizeof *stack);
    if (stack == NULL)
        return NULL;
    stack->top = NULL;
    stack->size = 0;
    return stack;
}

void int_stack_free(int_stack *stack) {
    if (stack == NULL)
        return;
    node *next;
    for (node *n = stack->top; n != NULL; n = next) {
        next = n->below;
        free(n);
    }
    free(stack);
}

bool int_stack_push(int_stack *stack, int value) {
    node *n = malloc(sizeof *n);
    if (n == NULL)
        return false;
    n->value = value;
    n->below = stack->top;
    stack->top = n;
    stack->size++;
    return true;
}

bool int_stack_pop(int_stack *stack, int *value) {
    node *n = stack->top;
    if (n == NULL)
        return false;
    *value = n->value;
    stack->top = n->below;
    stack->size--;
    free(n);
    return true;
}

size_t int_stack_size(const int_stack *stack) { return stack->size; }

void int_stack_visit_blocks(const int_stack *stack, int_stack_block_visitor *visit, void *context) {
    visit(stack, sizeof *stack, context);
    for (const node *n = stack->top; n != NULL; n = n->below)
        visit(n, sizeof *n, context);
}
