/* heapbook summary, tree and stats: the terminal reports. */
#include "analysis.h"
#include "base/base.h"
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TOP_SITES = 10, TREE_LINES = 60, PLACE_TEXT = 1200 };

static double percent(uint64_t part, uint64_t whole) {
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* heaptrack's temporary allocations: freed right after they were made. */
static void print_temporary(const replay *r) {
    printf("Temporary:          %llu allocation%s freed right after allocation (%.1f%%)\n",
           (unsigned long long)r->temporary, r->temporary == 1 ? "" : "s",
           percent(r->temporary, r->allocations));
}

static void print_place(const frame_info *f) {
    char text[PLACE_TEXT];
    fputs(frame_display(f, text, sizeof text), stdout);
}

/* The line saying what the C library kept, after a report on leaks. */
static void print_library_note(const analysis *a, bool leaks) {
    char note[512];
    if (leaks && analysis_library_note(a, note, sizeof note))
        printf("\n(%s)\n", note);
}

static int compare_u64(uint64_t x, uint64_t y) { return x < y ? 1 : x > y ? -1 : 0; }

/* qsort() of rows that may be none (rows NULL). */
static void sort_rows(site_row *rows, size_t count, int (*order)(const void *, const void *)) {
    if (count > 1)
        qsort(rows, count, sizeof *rows, order);
}

/* ---- summary: every call site, with what it and its callees hold */

/* Biggest total first; a tie in the order of the call tree, callers
 * before callees, as `heapbook tree` shows them. */
static int by_total(const void *a, const void *b) {
    const site_row *x = a, *y = b;
    int order = compare_u64(x->total, y->total);
    return order ? order : (x->order > y->order) - (x->order < y->order);
}

int command_summary(const command_options *options) {
    const command_options o = *options;
    const char *capture_path = o.operands[0];
    analysis a;
    if (!analysis_open(capture_path, &a))
        return 2;
    const stack_figures *figures = analysis_figures(&a, o.leaks);
    tree_node *root = calltree_build(&a.capture, a.symbols, figures);
    site_row *rows = NULL;
    size_t count = 0;
    if (root != NULL) {
        calltree_sort(root);
        count = calltree_sites(&a.capture, a.symbols, figures, root, &rows);
    }
    if (root == NULL || count == (size_t)-1) {
        fprintf(stderr, "heapbook: out of memory summarizing %s\n", capture_path);
        calltree_free(root);
        analysis_close(&a);
        return 2;
    }
    sort_rows(rows, count, by_total);
    char size[HB_SIZE_TEXT], own[HB_SIZE_TEXT];
    uint64_t whole = root->bytes;
    printf("Allocation sites, %s (%s in all):\n\n", analysis_what(o.leaks),
           hb_size_format(whole, size));
    printf("%12s %7s %12s %7s %8s  %s\n", "total", "%", "own", "%", "blocks", "location");
    for (size_t i = 0; i < count && i < TOP_SITES * 2; i++) {
        printf("%12s %6.1f%% %12s %6.1f%% %8llu  ", hb_size_format(rows[i].total, size),
               percent(rows[i].total, whole), hb_size_format(rows[i].own, own),
               percent(rows[i].own, whole), (unsigned long long)rows[i].blocks);
        print_place(&rows[i].where);
        putchar('\n');
    }
    if (count == 0)
        printf("(nothing %s)\n", analysis_what(o.leaks));
    putchar('\n');
    print_temporary(&a.replay);
    print_library_note(&a, o.leaks);
    free(rows);
    calltree_free(root);
    analysis_close(&a);
    return 0;
}

/* ---- tree: the call tree, biggest branches first */

/* How much of the tree to print: levels below the root, and lines. */
typedef struct tree_limits {
    size_t depth;
    unsigned lines;
} tree_limits;

/* Returns false once the line limit cut the tree short. */
static bool print_tree(const tree_node *node, uint64_t whole, char *prefix, size_t depth,
                       const tree_limits *limits, unsigned *lines) {
    for (size_t i = 0; i < node->child_count; i++) {
        if (*lines == limits->lines)
            return false;
        const tree_node *child = node->children[i];
        bool last = i + 1 == node->child_count;
        char size[HB_SIZE_TEXT];
        printf("%s%s %s %5.1f%%  ", prefix, last ? "└─" : "├─", hb_size_format(child->bytes, size),
               percent(child->bytes, whole));
        print_place(&child->where);
        putchar('\n');
        (*lines)++;
        size_t length = strlen(prefix);
        strcpy(prefix + length, last ? "   " : "│  ");
        bool whole_branch = depth + 1 >= limits->depth ||
                            print_tree(child, whole, prefix, depth + 1, limits, lines);
        prefix[length] = '\0';
        if (!whole_branch)
            return false;
    }
    return true;
}

int command_tree(const command_options *options) {
    const command_options o = *options;
    const char *capture_path = o.operands[0];
    analysis a;
    if (!analysis_open(capture_path, &a))
        return 2;
    tree_node *root = calltree_build(&a.capture, a.symbols, analysis_figures(&a, o.leaks));
    if (root == NULL) {
        fprintf(stderr, "heapbook: out of memory building the tree of %s\n", capture_path);
        analysis_close(&a);
        return 2;
    }
    calltree_sort(root);
    char size[HB_SIZE_TEXT];
    printf("%s %s, by call path:\n", hb_size_format(root->bytes, size), analysis_what(o.leaks));
    /* Each level adds at most 3 characters of up to 3 bytes. */
    static char prefix[(CALLTREE_MAX_FRAMES + 1) * 9];
    prefix[0] = '\0';
    tree_limits limits = {o.depth ? o.depth : CALLTREE_MAX_FRAMES + 1,
                          o.lines ? o.lines : TREE_LINES};
    unsigned lines = 0;
    if (!print_tree(root, root->bytes, prefix, 0, &limits, &lines))
        printf("... (the first %u lines: --lines N shows more, heapbook flamegraph all of it)\n",
               limits.lines);
    print_library_note(&a, o.leaks);
    calltree_free(root);
    analysis_close(&a);
    return 0;
}

/* ---- stats: totals, sizes, the busiest sites */

static int by_own_bytes(const void *a, const void *b) {
    const site_row *x = a, *y = b;
    int order = compare_u64(x->own, y->own);
    return order ? order : (x->order > y->order) - (x->order < y->order);
}

static int by_own_blocks(const void *a, const void *b) {
    const site_row *x = a, *y = b;
    int order = compare_u64(x->blocks, y->blocks);
    return order ? order : (x->order > y->order) - (x->order < y->order);
}

/* The first sites of `rows`, sorted by bytes or by count, that allocated. */
static void print_top_sites(const site_row *rows, size_t count, bool by_count) {
    for (size_t i = 0; i < count && i < TOP_SITES / 2; i++) {
        if ((by_count ? rows[i].blocks : rows[i].own) == 0)
            break; /* sorted: only callers of allocating functions follow */
        char size[HB_SIZE_TEXT];
        if (by_count)
            printf("  %12llu  ", (unsigned long long)rows[i].blocks);
        else
            printf("  %12s  ", hb_size_format(rows[i].own, size));
        print_place(&rows[i].where);
        putchar('\n');
    }
}

static void print_histogram(const replay *r) {
    uint64_t most = 1;
    for (int k = 0; k < SIZE_CLASSES; k++)
        most = r->size_classes[k] > most ? r->size_classes[k] : most;
    for (int k = 0; k < SIZE_CLASSES; k++) {
        if (r->size_classes[k] == 0)
            continue;
        char low[HB_SIZE_TEXT], high[HB_SIZE_TEXT];
        uint64_t from = k == 0 ? 0 : (uint64_t)1 << (k - 1);
        uint64_t to = k == 0 ? 0 : ((uint64_t)1 << k) - 1;
        printf("  %10s .. %-10s %8llu  ", hb_size_format(from, low), hb_size_format(to, high),
               (unsigned long long)r->size_classes[k]);
        for (uint64_t bar = 0; bar < 1 + 39 * r->size_classes[k] / most; bar++)
            fputs("█", stdout);
        putchar('\n');
    }
}

static void print_stats_text(const analysis *a, site_row *rows, size_t count) {
    const replay *r = &a->replay;
    char s1[HB_SIZE_TEXT], command[1024];
    capture_command(&a->capture, command, sizeof command);
    printf("Command:            %s (pid %u)\n", command, a->capture.pid);
    printf("Duration:           %.1f ms\n", (double)r->duration_ns / 1e6);
    printf("Allocations:        %llu (%llu freed)\n", (unsigned long long)r->allocations,
           (unsigned long long)r->frees);
    printf("Bytes allocated:    %s\n", hb_size_format(r->total_bytes, s1));
    printf("Peak heap:          %s at %.1f ms\n", hb_size_format(r->peak_bytes, s1),
           (double)r->peak_time_ns / 1e6);
    if (r->peak_rss > 0)
        printf("Peak resident set:  %s at %.1f ms (sampled every 10 ms, and at start and exit)\n",
               hb_size_format(r->peak_rss, s1), (double)r->peak_rss_time_ns / 1e6);
    print_temporary(r);
    printf("Never freed:        %s in %llu block%s\n", hb_size_format(r->leaked_bytes, s1),
           (unsigned long long)r->leaked_blocks, r->leaked_blocks == 1 ? "" : "s");
    if (r->library_blocks > 0)
        printf("Kept by the C library for itself: %s in %llu block%s (not leaks)\n",
               hb_size_format(r->library_bytes, s1), (unsigned long long)r->library_blocks,
               r->library_blocks == 1 ? "" : "s");
    printf("\nAllocation sizes:\n");
    print_histogram(r);
    printf("\nSites that allocated the most bytes:\n");
    sort_rows(rows, count, by_own_bytes);
    print_top_sites(rows, count, false);
    printf("\nSites that allocated most often:\n");
    sort_rows(rows, count, by_own_blocks);
    print_top_sites(rows, count, true);
}

static void print_site_list(const site_row *rows, size_t count) {
    for (size_t i = 0; i < count && i < TOP_SITES && rows[i].blocks > 0; i++) {
        printf("%s\n    {\"function\": ", i ? "," : "");
        hb_json_string(stdout, rows[i].where.function);
        printf(", \"file\": ");
        hb_json_string(stdout, rows[i].where.file);
        printf(", \"line\": %d, \"module\": ", rows[i].where.line);
        hb_json_string(stdout, rows[i].where.module);
        printf(", \"bytes\": %llu, \"allocations\": %llu}", (unsigned long long)rows[i].own,
               (unsigned long long)rows[i].blocks);
    }
}

static void print_stats_json(const analysis *a, site_row *rows, size_t count) {
    const replay *r = &a->replay;
    char command[4096];
    capture_command(&a->capture, command, sizeof command);
    printf("{\"command\": ");
    hb_json_string(stdout, command);
    printf(", \"pid\": %u, \"duration_ms\": %.3f, \"allocations\": %llu, \"frees\": %llu, "
           "\"total_bytes\": %llu, \"peak_bytes\": %llu, \"peak_time_ms\": %.3f, "
           "\"leaked_bytes\": %llu, \"leaked_blocks\": %llu, \"library_bytes\": %llu, "
           "\"library_blocks\": %llu, \"temporary_allocations\": %llu, \"peak_rss_bytes\": %llu, "
           "\"peak_rss_time_ms\": %.3f, \"ended\": %s,\n \"size_histogram\": [",
           a->capture.pid, (double)r->duration_ns / 1e6, (unsigned long long)r->allocations,
           (unsigned long long)r->frees, (unsigned long long)r->total_bytes,
           (unsigned long long)r->peak_bytes, (double)r->peak_time_ns / 1e6,
           (unsigned long long)r->leaked_bytes, (unsigned long long)r->leaked_blocks,
           (unsigned long long)r->library_bytes, (unsigned long long)r->library_blocks,
           (unsigned long long)r->temporary, (unsigned long long)r->peak_rss,
           (double)r->peak_rss_time_ns / 1e6, a->capture.ended ? "true" : "false");
    bool first = true;
    for (int k = 0; k < SIZE_CLASSES; k++)
        if (r->size_classes[k] > 0) {
            printf("%s{\"min\": %llu, \"max\": %llu, \"count\": %llu}", first ? "" : ", ",
                   k ? (unsigned long long)1 << (k - 1) : 0ULL,
                   k ? ((unsigned long long)1 << k) - 1 : 0ULL,
                   (unsigned long long)r->size_classes[k]);
            first = false;
        }
    printf("],\n \"top_by_bytes\": [");
    sort_rows(rows, count, by_own_bytes);
    print_site_list(rows, count);
    printf("],\n \"top_by_count\": [");
    sort_rows(rows, count, by_own_blocks);
    print_site_list(rows, count);
    printf("]}\n");
}

int command_stats(const command_options *options) {
    const command_options o = *options;
    const char *capture_path = o.operands[0];
    analysis a;
    if (!analysis_open(capture_path, &a))
        return 2;
    tree_node *root = calltree_build(&a.capture, a.symbols, a.replay.allocated);
    site_row *rows = NULL;
    size_t count = (size_t)-1;
    if (root != NULL) {
        calltree_sort(root);
        count = calltree_sites(&a.capture, a.symbols, a.replay.allocated, root, &rows);
    }
    if (count == (size_t)-1)
        fprintf(stderr, "heapbook: out of memory reading the sites of %s\n", capture_path);
    else if (o.json)
        print_stats_json(&a, rows, count);
    else
        print_stats_text(&a, rows, count);
    free(rows);
    calltree_free(root);
    analysis_close(&a);
    return count == (size_t)-1 ? 2 : 0;
}
