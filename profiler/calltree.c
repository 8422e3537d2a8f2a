#include "calltree.h"

#include <stdlib.h>
#include <string.h>

size_t calltree_frames(const capture *c, symbols *s, uint32_t id,
                       frame_info frames[CAPTURE_MAX_DEPTH]) {
    unsigned depth = c->stack_depths[id];
    frame_info inner_first[CAPTURE_MAX_DEPTH];
    unsigned outermost = depth; /* one past the last frame shown */
    for (unsigned i = 0; i < depth; i++) {
        inner_first[i] = symbols_lookup(s, capture_frame(c, id, i));
        if (strcmp(inner_first[i].function, "main") == 0) {
            outermost = i + 1; /* what runs before main is the C library's */
            break;
        }
    }
    for (unsigned i = 0; i < outermost; i++)
        frames[i] = inner_first[outermost - 1 - i];
    return outermost;
}

static bool same_place(const frame_info *a, const frame_info *b) {
    return a->line == b->line && strcmp(a->function, b->function) == 0 &&
           strcmp(a->file, b->file) == 0;
}

static tree_node *new_node(frame_info where) {
    tree_node *node = calloc(1, sizeof *node);
    if (node != NULL)
        node->where = where;
    return node;
}

static tree_node *find_child(const tree_node *parent, const frame_info *where) {
    for (size_t i = 0; i < parent->child_count; i++)
        if (same_place(&parent->children[i]->where, where))
            return parent->children[i];
    return NULL;
}

/* Adds `child` (may be NULL: out of memory) under `parent`; returns it. */
static tree_node *append_child(tree_node *parent, tree_node *child) {
    if (child != NULL && parent->child_count == parent->child_capacity) {
        size_t n = parent->child_capacity ? 2 * parent->child_capacity : 4;
        tree_node **grown = realloc(parent->children, n * sizeof *grown);
        if (grown == NULL) {
            calltree_free(child);
            return NULL;
        }
        parent->children = grown;
        parent->child_capacity = n;
    }
    if (child != NULL)
        parent->children[parent->child_count++] = child;
    return child;
}

static tree_node *child_at(tree_node *parent, const frame_info *where) {
    tree_node *child = find_child(parent, where);
    return child ? child : append_child(parent, new_node(*where));
}

tree_node *calltree_build(const capture *c, symbols *s, const stack_figures *figures) {
    tree_node *root = new_node((frame_info){.function = "all", .file = ""});
    for (uint32_t id = 1; root != NULL && id <= c->stack_count; id++) {
        if (figures[id].bytes == 0 && figures[id].blocks == 0)
            continue;
        frame_info frames[CAPTURE_MAX_DEPTH];
        size_t depth = calltree_frames(c, s, id, frames);
        tree_node *node = root;
        node->bytes += figures[id].bytes;
        node->blocks += figures[id].blocks;
        for (size_t i = 0; i < depth && node != NULL; i++) {
            node = child_at(node, &frames[i]);
            if (node != NULL) {
                node->bytes += figures[id].bytes;
                node->blocks += figures[id].blocks;
            }
        }
        if (node == NULL) {
            calltree_free(root);
            return NULL;
        }
        node->own_bytes += figures[id].bytes;
        node->own_blocks += figures[id].blocks;
    }
    return root;
}

/* A subtree only one capture has: all growth (sign +1) or all shrink (-1). */
static void mark_all(tree_node *node, int sign) {
    node->delta = sign * (int64_t)node->bytes;
    for (size_t i = 0; i < node->child_count; i++)
        mark_all(node->children[i], sign);
}

static tree_node *copy_tree(const tree_node *from) {
    tree_node *copy = new_node(from->where);
    if (copy == NULL)
        return NULL;
    copy->bytes = from->bytes;
    copy->blocks = from->blocks;
    copy->own_bytes = from->own_bytes;
    copy->own_blocks = from->own_blocks;
    for (size_t i = 0; i < from->child_count; i++)
        if (append_child(copy, copy_tree(from->children[i])) == NULL)
            break;
    return copy;
}

static void diff_into(tree_node *before, const tree_node *after) {
    before->delta = (int64_t)after->bytes - (int64_t)before->bytes;
    if (after->bytes > before->bytes)
        before->bytes = after->bytes;
    size_t known = before->child_count; /* the children before had */
    for (size_t i = 0; i < known; i++) {
        tree_node *ours = before->children[i];
        const tree_node *theirs = find_child(after, &ours->where);
        if (theirs != NULL)
            diff_into(ours, theirs);
        else
            mark_all(ours, -1);
    }
    for (size_t i = 0; i < after->child_count; i++) {
        const tree_node *theirs = after->children[i];
        if (find_child(before, &theirs->where) != NULL)
            continue;
        tree_node *copy = append_child(before, copy_tree(theirs));
        if (copy != NULL)
            mark_all(copy, +1);
    }
}

tree_node *calltree_diff(tree_node *before, const tree_node *after) {
    diff_into(before, after);
    return before;
}

typedef struct site_list {
    site_row *rows;
    size_t count, capacity;
} site_list;

static site_row *row_for(site_list *list, const frame_info *where) {
    for (size_t r = 0; r < list->count; r++)
        if (same_place(&list->rows[r].where, where))
            return &list->rows[r];
    if (list->count == list->capacity) {
        size_t n = list->capacity ? 2 * list->capacity : 64;
        site_row *grown = realloc(list->rows, n * sizeof *grown);
        if (grown == NULL)
            return NULL;
        list->rows = grown;
        list->capacity = n;
    }
    list->rows[list->count] = (site_row){.where = *where};
    return &list->rows[list->count++];
}

static void gather_sites(const tree_node *node, site_list *list) {
    for (size_t i = 0; i < node->child_count; i++) {
        const tree_node *child = node->children[i];
        site_row *row = row_for(list, &child->where);
        if (row == NULL)
            return;
        /* A function calling itself from the same line holds its bytes once. */
        if (!same_place(&node->where, &child->where))
            row->total += child->bytes;
        row->own += child->own_bytes;
        row->blocks += child->own_blocks;
        gather_sites(child, list);
    }
}

size_t calltree_sites(const tree_node *root, site_row **rows) {
    site_list list = {0};
    gather_sites(root, &list);
    *rows = list.rows;
    return list.count;
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

void calltree_sort(tree_node *node) {
    qsort(node->children, node->child_count, sizeof *node->children, bigger_first);
    for (size_t i = 0; i < node->child_count; i++)
        calltree_sort(node->children[i]);
}

void calltree_free(tree_node *node) {
    if (node == NULL)
        return;
    for (size_t i = 0; i < node->child_count; i++)
        calltree_free(node->children[i]);
    free(node->children);
    free(node);
}
