/* Exercise 08, a wrong fix: one doubling array, made with the stack, but a
 * push grows it only once it is over full: the value that fills it is
 * written one past its end. */
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
    *stack = (int_stack){
        .values = malloc(INITIAL_CAPACITY * sizeof(int)), .size = 0, .capacity = INITIAL_CAPACITY};
    if (stack->values == NULL) {
        free(stack);
        return NULL;
    }
    return stack;
}

void int_stack_free(int_stack *stack) {
    if (stack == NULL)
        return;
    free(stack->values);
    free(stack);
}

/* Doubles the array; false, with the stack untouched, if memory runs out. */
static bool grow(int_stack *stack) {
    size_t capacity = 2 * stack->capacity;
    int *values = realloc(stack->values, capacity * sizeof *values);
    if (values == NULL)
        return false;
    stack->values = values;
    stack->capacity = capacity;
    return true;
}

bool int_stack_push(int_stack *stack, int value) {
    if (stack->size > stack->capacity && !grow(stack)) /* the mistake: > for == */
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
    visit(stack->values, stack->capacity * sizeof *stack->values, context);
}
