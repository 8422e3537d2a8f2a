/* calltree.c: stacks folded into a tree, and call sites (calltree.h). */
#include "calltree.h"

#include "array.h"

#include <stdlib.h>
#include <string.h>

size_t calltree_frames(const capture *c, symbols *s, uint32_t id,
                       frame_info frames[CALLTREE_MAX_FRAMES]) {
    frame_info inner_first[CALLTREE_MAX_FRAMES];
    size_t count = 0, outermost = 0;
    bool reached_main = false;
    for (unsigned i = 0; i < capture_depth(c, id) && !reached_main; i++) {
        const frame_info *expanded;
        size_t n = symbols_lookup(s, capture_frame(c, id, i), &expanded);
        for (size_t k = 0; k < n && count < CALLTREE_MAX_FRAMES; k++) {
            inner_first[count++] = expanded[k];
            /* What runs before main is the C library's. */
            reached_main |= strcmp(expanded[k].function, "main") == 0;
        }
    }
    outermost = count;
    for (size_t i = 0; i < outermost; i++)
        frames[i] = inner_first[outermost - 1 - i];
    return outermost;
}

/* The module of frame `i` of stack `id`, or NULL. */
static const capture_module *frame_module(const capture *c, uint32_t id, unsigned i) {
    return capture_module_of(c, capture_frame(c, id, i) - 1);
}

bool calltree_in_runtime(const capture *c, uint32_t id) {
    unsigned depth = capture_depth(c, id);
    if (depth == 0)
        return false;
    /* The dynamic loader allocates for itself only (thread-local storage,
     * its maps): nothing it allocates is handed to the program to free. */
    const capture_module *m = frame_module(c, id, 0);
    if (m != NULL && symbols_is_loader(m->path))
        return true;
    for (unsigned i = 0; i < depth; i++) {
        m = frame_module(c, id, i);
        if (m == NULL || !symbols_is_runtime(m->path))
            return false;
    }
    return true;
}

/* ---- the tree */

static tree_node *new_node(frame_info where, tree_node *parent) {
    tree_node *node = calloc(1, sizeof *node);
    if (node != NULL) {
        node->where = where;
        node->parent = parent;
    }
    return node;
}

tree_node *calltree_root(void) {
    return new_node((frame_info){.function = "all", .file = "", .module = ""}, NULL);
}

tree_node *calltree_child(tree_node *parent, const frame_info *where) {
    for (size_t i = 0; i < parent->child_count; i++)
        if (frame_same_place(&parent->children[i]->where, where))
            return parent->children[i];
    if (parent->child_count == parent->child_capacity) {
        size_t n = parent->child_capacity ? 2 * parent->child_capacity : 4;
        // NOLINTNEXTLINE(bugprone-sizeof-expression): the elements are pointers
        tree_node **grown = realloc(parent->children, n * sizeof *grown);
        if (grown == NULL)
            return NULL;
        parent->children = grown;
        parent->child_capacity = n;
    }
    tree_node *child = new_node(*where, parent);
    if (child != NULL)
        parent->children[parent->child_count++] = child;
    return child;
}

tree_node *calltree_add(tree_node *top, const capture *c, symbols *s, uint32_t id,
                        stack_figures figures) {
    frame_info frames[CALLTREE_MAX_FRAMES];
    size_t depth = calltree_frames(c, s, id, frames);
    tree_node *node = top;
    for (tree_node *n = top; n != NULL; n = n->parent) {
        n->bytes += figures.bytes;
        n->blocks += figures.blocks;
    }
    for (size_t i = 0; i < depth && node != NULL; i++) {
        node = calltree_child(node, &frames[i]);
        if (node != NULL) {
            node->bytes += figures.bytes;
            node->blocks += figures.blocks;
        }
    }
    if (node != NULL) {
        node->own_bytes += figures.bytes;
        node->own_blocks += figures.blocks;
    }
    return node;
}

tree_node *calltree_build(const capture *c, symbols *s, const stack_figures *figures) {
    tree_node *root = calltree_root();
    for (uint32_t id = 0; root != NULL && id <= c->stack_count; id++) {
        if (figures[id].bytes == 0 && figures[id].blocks == 0)
            continue;
        if (calltree_add(root, c, s, id, figures[id]) == NULL) {
            calltree_free(root);
            return NULL;
        }
    }
    return root;
}

static int bigger_first(const void *a, const void *b) {
    const tree_node *x = *(tree_node *const *)a, *y = *(tree_node *const *)b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    if (x->blocks != y->blocks)
        return x->blocks < y->blocks ? 1 : -1;
    int by_name = strcmp(x->where.function, y->where.function);
    return by_name != 0 ? by_name : x->where.line - y->where.line;
}

static void sort_from(tree_node *node, size_t *order) {
    node->order = (*order)++;
    if (node->child_count > 1)
        // NOLINTNEXTLINE(bugprone-sizeof-expression): the elements are pointers
        qsort(node->children, node->child_count, sizeof *node->children, bigger_first);
    for (size_t i = 0; i < node->child_count; i++)
        sort_from(node->children[i], order);
}

void calltree_sort(tree_node *root) {
    size_t order = 0;
    sort_from(root, &order);
}

void calltree_free(tree_node *node) {
    if (node == NULL)
        return;
    for (size_t i = 0; i < node->child_count; i++)
        calltree_free(node->children[i]);
    free(node->children);
    free(node);
}

/* ---- call sites */

typedef struct site_table {
    site_row *rows;
    size_t count, capacity;
    size_t *slots; /* row index + 1, by place; 0: empty */
    size_t mask;
} site_table;

static size_t site_slot(const site_table *t, const frame_info *where) {
    size_t i = (size_t)frame_hash(where) & t->mask;
    while (t->slots[i] != 0 && !frame_same_place(&t->rows[t->slots[i] - 1].where, where))
        i = (i + 1) & t->mask;
    return i;
}

static bool grow_sites(site_table *t) {
    size_t count = t->slots ? 2 * (t->mask + 1) : 256;
    size_t *old = t->slots, old_count = old ? t->mask + 1 : 0;
    if ((t->slots = calloc(count, sizeof *t->slots)) == NULL) {
        t->slots = old;
        return false;
    }
    t->mask = count - 1;
    for (size_t i = 0; i < old_count; i++)
        if (old[i] != 0)
            t->slots[site_slot(t, &t->rows[old[i] - 1].where)] = old[i];
    free(old);
    return true;
}

/* The row of `where`, added if new; NULL if memory runs out. */
static site_row *site(site_table *t, const frame_info *where) {
    if ((t->slots == NULL || 2 * (t->count + 1) > t->mask + 1) && !grow_sites(t))
        return NULL;
    size_t slot = site_slot(t, where);
    if (t->slots[slot] != 0)
        return &t->rows[t->slots[slot] - 1];
    if (!array_grow((void **)&t->rows, &t->capacity, t->count + 1, sizeof *t->rows))
        return NULL;
    t->rows[t->count] = (site_row){.where = *where, .order = SIZE_MAX};
    t->slots[slot] = ++t->count;
    return &t->rows[t->count - 1];
}

/* A stack's bytes go to each site on it once, however often it recurs. */
static bool add_stack(site_table *t, const frame_info *frames, size_t depth,
                      stack_figures figures) {
    for (size_t i = 0; i < depth; i++) {
        bool seen = false;
        for (size_t j = i + 1; j < depth && !seen; j++)
            seen = frame_same_place(&frames[i], &frames[j]);
        site_row *row = seen ? NULL : site(t, &frames[i]);
        if (!seen && row == NULL)
            return false;
        if (row != NULL)
            row->total += figures.bytes;
    }
    site_row *innermost = depth ? site(t, &frames[depth - 1]) : NULL;
    if (innermost != NULL) {
        innermost->own += figures.bytes;
        innermost->blocks += figures.blocks;
    }
    return depth == 0 || innermost != NULL;
}

static void set_order(site_table *t, const tree_node *node) {
    if (node->parent != NULL) {
        site_row *row = site(t, &node->where);
        if (row != NULL && row->order == SIZE_MAX)
            row->order = node->order;
    }
    for (size_t i = 0; i < node->child_count; i++)
        set_order(t, node->children[i]);
}

size_t calltree_sites(const capture *c, symbols *s, const stack_figures *figures,
                      const tree_node *sorted, site_row **rows) {
    site_table t = {0};
    bool ok = true;
    for (uint32_t id = 0; ok && id <= c->stack_count; id++) {
        if (figures[id].bytes == 0 && figures[id].blocks == 0)
            continue;
        frame_info frames[CALLTREE_MAX_FRAMES];
        size_t depth = calltree_frames(c, s, id, frames);
        ok = add_stack(&t, frames, depth, figures[id]);
    }
    if (ok && sorted != NULL)
        set_order(&t, sorted);
    free(t.slots);
    *rows = t.rows;
    if (!ok) {
        free(t.rows);
        *rows = NULL;
        return (size_t)-1;
    }
    return t.count;
}
