#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool array_grow_to(void **array, size_t *capacity, size_t needed, size_t item) {
    if (needed <= *capacity)
        return true;
    size_t n = *capacity ? *capacity : 256;
    while (n < needed)
        n *= 2;
    if (n > SIZE_MAX / item)
        return false;
    void *grown = realloc(*array, n * item);
    if (grown == NULL)
        return false;
    memset((char *)grown + *capacity * item, 0, (n - *capacity) * item);
    *array = grown;
    *capacity = n;
    return true;
}
