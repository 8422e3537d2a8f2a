/* Exercise 08: Many small allocations.  The contract the tests check; do not
 * change it. */
#ifndef INT_STACK_H
#define INT_STACK_H

#include <stdbool.h>
#include <stddef.h>

/* A last-in, first-out stack of ints, such as an iterative depth-first walk
 * keeps its pending work on.  Opaque: only these functions touch it. */
typedef struct int_stack int_stack;

/* Returns a new, empty stack, to be freed with int_stack_free(); NULL if
 * memory runs out. */
int_stack *int_stack_new(void);

/* Frees the stack and everything it holds.  NULL is allowed. */
void int_stack_free(int_stack *stack);

/* Puts `value` on top.  Returns false if memory runs out; the stack is then
 * unchanged. */
bool int_stack_push(int_stack *stack, int value);

/* Takes the top value off into *value.  Returns false if the stack is empty. */
bool int_stack_pop(int_stack *stack, int *value);

/* How many values the stack holds. */
size_t int_stack_size(const int_stack *stack);

/* Calls visit(block, requested, context) once for every heap block the stack
 * owns, with the size it asked malloc or realloc for, so that a program can
 * see what the stack costs the allocator (main.c adds up
 * malloc_usable_size() of each).  Like mimalloc's mi_heap_visit_blocks(). */
typedef void int_stack_block_visitor(const void *block, size_t requested, void *context);
void int_stack_visit_blocks(const int_stack *stack, int_stack_block_visitor *visit, void *context);

#endif
