/* function_index: the DIEs of one DWARF compile unit that hold code (its
 * functions, also those inside namespaces and classes), sorted by address,
 * so that finding the function at an address costs a binary search instead
 * of a walk of the unit from its top (symbols.c, for each address it names).
 *
 * The walk it replaces takes the first DIE, in the unit's order, whose
 * ranges hold the address; the index finds the same DIE as long as no two
 * DIEs' ranges overlap, and says when they do (the caller then walks). */
#ifndef HEAPBOOK_FUNCTION_INDEX_H
#define HEAPBOOK_FUNCTION_INDEX_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct function_range {
    Dwarf_Addr low, high; /* [low, high) */
    Dwarf_Die die;
} function_range;

typedef struct function_index {
    Dwarf_Off cu;      /* the unit's offset; the index is for this unit only */
    const void *owner; /* what the unit belongs to (a module), for the cache */
    function_range *ranges;
    size_t count;
    bool usable; /* built, and no two ranges overlap */
} function_index;

/* Builds the index of compile unit `cu` into *index (emptied first).
 * False if memory runs out or ranges overlap: index->usable is then false. */
bool function_index_build(function_index *index, Dwarf_Die *cu, const void *owner);

/* The DIE whose ranges hold `pc`, or NULL: the unit's top-level scope there. */
Dwarf_Die *function_index_find(function_index *index, Dwarf_Addr pc);

void function_index_free(function_index *index);

#endif
