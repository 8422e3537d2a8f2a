/* Exercise 08, a wrong fix: one array, as in the solution, but made once
 * with room for a million values, which ought to be enough: one
 * allocation, and 4 MB however few values are pushed. */
#include "int_stack.h"

#include <stdlib.h>

/* the mistake: room for a million values, whatever the stack holds */
enum { CAPACITY = 1000000 };

struct int_stack {
    int *values; /* values[0] is the bottom; NULL until the first push */
    size_t size, capacity;
};

int_stack *int_stack_new(void) {
    int_stack *stack = malloc(sizeof *stack);
    if (stack == NULL)
        return NULL;
    *stack = (int_stack){.values = malloc(CAPACITY * sizeof(int)), .size = 0, .capacity = CAPACITY};
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

bool int_stack_push(int_stack *stack, int value) {
    if (stack->size == stack->capacity)
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
