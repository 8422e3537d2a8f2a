/* function_index.c: a compile unit's functions by address (function_index.h). */
#include "function_index.h"

#include "array.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

typedef struct builder {
    function_range *ranges;
    size_t count, capacity;
    bool ok;
} builder;

static bool add_ranges(builder *b, Dwarf_Die *die) {
    Dwarf_Addr base, low, high;
    ptrdiff_t offset = 0;
    bool any = false;
    while ((offset = dwarf_ranges(die, offset, &base, &low, &high)) > 0) {
        any = true;
        if (low >= high)
            continue;
        if (!array_grow((void **)&b->ranges, &b->capacity, b->count + 1, sizeof *b->ranges)) {
            b->ok = false;
            return true;
        }
        b->ranges[b->count++] = (function_range){low, high, *die};
    }
    return any;
}

/* The children of `parent` as symbols.c's walk visits them: a DIE with
 * ranges is a scope (its own children are the walk's next step), and
 * namespaces and classes are looked into. */
static void collect(builder *b, Dwarf_Die *parent) {
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0)
        return;
    do {
        if (add_ranges(b, &child))
            continue;
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type ||
            tag == DW_TAG_union_type)
            collect(b, &child);
    } while (b->ok && dwarf_siblingof(&child, &child) == 0);
}

static int by_low(const void *a, const void *b) {
    const function_range *x = a, *y = b;
    return (x->low > y->low) - (x->low < y->low);
}

bool function_index_build(function_index *index, Dwarf_Die *cu, const void *owner) {
    builder b = {.ok = true};
    collect(&b, cu);
    if (b.count > 1)
        qsort(b.ranges, b.count, sizeof *b.ranges, by_low);
    for (size_t i = 1; b.ok && i < b.count; i++)
        b.ok = b.ranges[i].low >= b.ranges[i - 1].high;
    function_index_free(index);
    *index = (function_index){.cu = dwarf_dieoffset(cu),
                              .owner = owner,
                              .ranges = b.ranges,
                              .count = b.count,
                              .usable = b.ok};
    return b.ok;
}

Dwarf_Die *function_index_find(function_index *index, Dwarf_Addr pc) {
    size_t low = 0, high = index->count; /* the first range starting after pc */
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (index->ranges[middle].low <= pc)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0 || pc >= index->ranges[low - 1].high)
        return NULL;
    return &index->ranges[low - 1].die;
}

void function_index_free(function_index *index) {
    free(index->ranges);
    *index = (function_index){0};
}
