/* Exercise 18 as a program, to run under heapbook (make flamegraph EX=18),
 * valgrind or a debugger:
 *
 *     build/exercises/18-pool-allocator/program [BLOCKS]
 *
 * builds a tree of BLOCKS nodes (100000 by default) from the pool, frees
 * every other one and builds again, as a parser or a compiler does with
 * its syntax trees, and says what the pool took from malloc. */
#include "pool.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct node {
    struct node *left, *right;
    int value;
} node;

/* A binary search tree: inserts `value` under *root, from the pool. */
static bool insert(pool *p, node **root, int value) {
    while (*root != NULL)
        root = value < (*root)->value ? &(*root)->left : &(*root)->right;
    *root = pool_alloc(p, sizeof(node));
    if (*root == NULL)
        return false;
    **root = (node){NULL, NULL, value};
    return true;
}

/* Frees every node of the tree, and counts them. */
static size_t free_tree(pool *p, node *root) {
    if (root == NULL)
        return 0;
    size_t count = 1 + free_tree(p, root->left) + free_tree(p, root->right);
    pool_free(p, root, sizeof(node));
    return count;
}

int main(int argc, char **argv) {
    unsigned long blocks = 100000;
    char *end;
    if (argc > 2 || (argc == 2 && ((blocks = strtoul(argv[1], &end, 10)) == 0 || *end != '\0'))) {
        fprintf(stderr, "usage: %s [BLOCKS] (a whole number above 0)\n", argv[0]);
        return 2;
    }
    pool *p = pool_new();
    node *trees[2] = {NULL, NULL};
    unsigned state = 18;
    bool ok = p != NULL;
    for (int round = 0; ok && round < 2; round++)
        for (unsigned long i = 0; ok && i < blocks; i++) {
            state = state * 1103515245u + 12345u;
            ok = insert(p, &trees[round], (int)(state >> 8));
        }
    if (!ok) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        pool_delete(p);
        return 1;
    }
    size_t freed = free_tree(p, trees[0]);
    trees[0] = NULL;
    for (unsigned long i = 0; ok && i < blocks; i++) {
        state = state * 1103515245u + 12345u;
        ok = insert(p, &trees[0], (int)(state >> 8));
    }
    printf("%zu nodes of %zu bytes freed and made again; %s\n", freed, sizeof(node),
           ok ? "done" : "out of memory");
    pool_delete(p);
    return ok ? 0 : 1;
}
