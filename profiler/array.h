/* array: growing the arrays the readers keep, one way everywhere. */
#ifndef HEAPBOOK_ARRAY_H
#define HEAPBOOK_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/* Makes room for `needed` items of `item` bytes in *array, whose room is
 * *capacity items, doubling it; new items are zero.  False if memory runs
 * out (the array is then as it was). */
bool array_grow_to(void **array, size_t *capacity, size_t needed, size_t item);

/* The same, inline when there is room already: the replay asks at every
 * event (a call each time was 6% of a flame graph's time). */
static inline bool array_grow(void **array, size_t *capacity, size_t needed, size_t item) {
    return needed <= *capacity || array_grow_to(array, capacity, needed, item);
}

#endif
