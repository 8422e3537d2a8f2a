/* calltree: per-stack figures folded into a tree of call sites, the shape
 * of a flame graph: the root is "all", its children the outermost frames
 * (main), the leaves the functions that called the allocator.  A node is a
 * function at one line (or, without debug information, at one offset); its
 * figures include everything below it. */
#ifndef HEAPBOOK_CALLTREE_H
#define HEAPBOOK_CALLTREE_H

#include "replay.h"
#include "symbols.h"

#include <stdint.h>

enum { CALLTREE_MAX_FRAMES = 512 }; /* a stack's frames, inlined ones included */

typedef struct tree_node {
    frame_info where;
    uint64_t bytes, blocks;         /* including every child */
    uint64_t own_bytes, own_blocks; /* allocated right here */
    size_t order;                   /* preorder position, after calltree_sort() */
    struct tree_node *parent;
    struct tree_node **children;
    size_t child_count, child_capacity;
} tree_node;

/* The frames of stack `id` that are shown, outermost first: from main (or
 * the outermost known frame) to the function that called the allocator,
 * inlined calls as frames of their own.  Returns how many. */
size_t calltree_frames(const capture *c, symbols *s, uint32_t id,
                       frame_info frames[CALLTREE_MAX_FRAMES]);

/* True if stack `id` allocated memory the C or C++ runtime keeps for
 * itself: every frame is in the runtime (the program never asked for it),
 * or the allocator was called by the dynamic loader (thread-local storage
 * for a thread the program started: the loader never hands it over).  By
 * the modules alone: no symbol is read. */
bool calltree_in_runtime(const capture *c, uint32_t id);

/* A root ("all"), or a node `where` under `parent` (found or added).  NULL
 * if memory runs out. */
tree_node *calltree_root(void);
tree_node *calltree_child(tree_node *parent, const frame_info *where);

/* Adds stack `id`'s path under `top` with `figures`, and returns its leaf;
 * NULL if memory runs out. */
tree_node *calltree_add(tree_node *top, const capture *c, symbols *s, uint32_t id,
                        stack_figures figures);

/* The tree of `figures` (indexed by stack id; stack 0, whose frames could
 * not be kept, counts in the root alone).  NULL if memory runs out. */
tree_node *calltree_build(const capture *c, symbols *s, const stack_figures *figures);

/* Children sorted biggest first (by bytes, then blocks, then name), and
 * every node's preorder position set. */
void calltree_sort(tree_node *root);

void calltree_free(tree_node *node);

/* One call site (function at a line) over all stacks. */
typedef struct site_row {
    frame_info where;
    uint64_t total;  /* bytes of the stacks through it, each stack once */
    uint64_t own;    /* bytes allocated right there */
    uint64_t blocks; /* blocks allocated right there */
    size_t order;    /* where it first appears in the sorted tree */
} site_row;

/* Every call site of the stacks with `figures`, into a new array *rows
 * (free it), in no order; `sorted` (calltree_sort()ed, of the same
 * figures, or NULL) gives each row its tree order.  Returns how many, or
 * (size_t)-1 if memory runs out. */
size_t calltree_sites(const capture *c, symbols *s, const stack_figures *figures,
                      const tree_node *sorted, site_row **rows);

#endif
