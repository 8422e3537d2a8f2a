/* Exercise 08, a wrong fix: one doubling array, as in the solution, but
 * int_stack_free() frees only the stack, not its array. */
#include "int_stack.h"

#include <stdlib.h>

/* The first array holds this many values: small stacks stay small, and
 * doubling from here reaches a million values in 16 steps. */
enum { INITIAL_CAPACITY = 16 };

struct int_stack {
    int *values; /* values[0] is the bottom; NULL until the first push */
    size_t size, capacity;
};

int_stack *int_stack_new(void) {
    int_stack *stack = malloc(sizeof *stack);
    if (stack == NULL)
        return NULL;
    *stack = (int_stack){.values = NULL, .size = 0, .capacity = 0};
    return stack;
}

void int_stack_free(int_stack *stack) {
    if (stack == NULL)
        return;
    free(stack); /* the mistake: stack->values is lost */
}

/* Doubles the array; false, with the stack untouched, if memory runs out. */
static bool grow(int_stack *stack) {
    size_t capacity = stack->capacity == 0 ? INITIAL_CAPACITY : 2 * stack->capacity;
    int *values = realloc(stack->values, capacity * sizeof *values);
    if (values == NULL)
        return false;
    stack->values = values;
    stack->capacity = capacity;
    return true;
}

bool int_stack_push(int_stack *stack, int value) {
    if (stack->size == stack->capacity && !grow(stack))
        return false;
    stack->values[stack->size++] = value;
    return true;
}

bool int_stack_pop(int_stack *stack, int *value) {
    if (stack->size == 0)
        return false;
    *value = stack->values[--stack->size];
    return true;
}

size_t int_stack_size(const int_stack *stack) { return stack->size; }

void int_stack_visit_blocks(const int_stack *stack, int_stack_block_visitor *visit, void *context) {
    visit(stack, sizeof *stack, context);
    if (stack->values != NULL)
        visit(stack->values, stack->capacity * sizeof *stack->values, context);
}
