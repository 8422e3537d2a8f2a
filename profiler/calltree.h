/* calltree: per-stack figures folded into a tree of call sites, the shape
 * of a flame graph: the root is "all", its children the outermost frames
 * (main), the leaves the functions that called the allocator.  A node is a
 * function at one line; its figures include everything below it. */
#ifndef HEAPBOOK_CALLTREE_H
#define HEAPBOOK_CALLTREE_H

#include "replay.h"
#include "symbols.h"

#include <stdint.h>

typedef struct tree_node {
    frame_info where;
    uint64_t bytes, blocks;         /* including every child */
    uint64_t own_bytes, own_blocks; /* allocated right here */
    int64_t delta;                  /* diff trees: bytes after minus before */
    struct tree_node **children;
    size_t child_count, child_capacity;
} tree_node;

/* The frames of stack `id` that are shown, outermost first: from main (or
 * the outermost known frame) to the allocating function.  Returns how many
 * were written to `frames`. */
size_t calltree_frames(const capture *c, symbols *s, uint32_t id,
                       frame_info frames[CAPTURE_MAX_DEPTH]);

/* The tree of `figures` (indexed by stack id).  NULL if memory runs out. */
tree_node *calltree_build(const capture *c, symbols *s, const stack_figures *figures);

/* Adds `after` into `before` as a diff: `bytes` becomes the larger of the
 * two, `delta` after minus before.  Returns `before`. */
tree_node *calltree_diff(tree_node *before, const tree_node *after);

/* One call site (function at a line) over the whole tree. */
typedef struct site_row {
    frame_info where;
    uint64_t total;  /* bytes of the paths through it, counted once per path */
    uint64_t own;    /* bytes allocated right there */
    uint64_t blocks; /* blocks allocated right there */
} site_row;

/* Every call site of the tree, in no order, into a new array *rows (free
 * it); returns how many. */
size_t calltree_sites(const tree_node *root, site_row **rows);

/* Children sorted biggest first (by bytes, then blocks, then name). */
void calltree_sort(tree_node *node);

void calltree_free(tree_node *node);

#endif
