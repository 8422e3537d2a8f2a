/* Exercise 08, a wrong fix: one array, as in the solution, but grown by
 * one value at every push: no pointer per value any more, but still one
 * call to the allocator per push. */
#include "int_stack.h"

#include <stdlib.h>

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
    free(stack->values);
    free(stack);
}

/* Makes room for one more value; false, with the stack untouched, if memory
 * runs out. */
static bool grow(int_stack *stack) {
    size_t capacity = stack->capacity + 1; /* the mistake: one realloc per push */
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
