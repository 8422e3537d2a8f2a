/* heapbook summary, tree, stats and export: the terminal reports. */
#include "analysis.h"
#include "commands.h"
#include "support/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TOP_SITES = 10, TREE_LINES = 60 };

static const char *what(bool leaks) { return leaks ? "never freed" : "live at the peak"; }

static double percent(uint64_t part, uint64_t whole) {
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_place(FILE *out, const frame_info *f) {
    if (f->file[0] != '\0')
        fprintf(out, "%s (%s:%d)", f->function, f->file, f->line);
    else
        fprintf(out, "%s", f->function);
}

/* ---- summary: every call site, with what it and its callees hold */

static int compare_u64(uint64_t x, uint64_t y) { return x < y ? 1 : x > y ? -1 : 0; }

static int by_total(const void *a, const void *b) {
    const site_row *x = a, *y = b;
    int order = compare_u64(x->total, y->total);
    order = order ? order : compare_u64(x->own, y->own);
    return order ? order : strcmp(x->where.function, y->where.function);
}

static int by_own_bytes(const void *a, const void *b) {
    const site_row *x = a, *y = b;
    int order = compare_u64(x->own, y->own);
    return order ? order : strcmp(x->where.function, y->where.function);
}

static int by_own_blocks(const void *a, const void *b) {
    const site_row *x = a, *y = b;
    int order = compare_u64(x->blocks, y->blocks);
    return order ? order : strcmp(x->where.function, y->where.function);
}

int command_summary(int argc, char **argv) {
    report_options o;
    analysis a;
    if (!parse_report_options("summary", "leaks", argc, argv, &o) || !analysis_open(o.capture, &a))
        return 2;
    tree_node *root = calltree_build(&a.capture, a.symbols, analysis_figures(&a, o.leaks));
    site_row *rows = NULL;
    size_t count = root ? calltree_sites(root, &rows) : 0;
    qsort(rows, count, sizeof *rows, by_total);
    char size[HB_SIZE_TEXT], own[HB_SIZE_TEXT];
    uint64_t whole = root ? root->bytes : 0;
    printf("Allocation sites, %s (%s in all):\n\n", what(o.leaks), hb_size_format(whole, size));
    printf("%12s %7s %12s %7s %8s  %s\n", "total", "%", "own", "%", "blocks", "location");
    for (size_t i = 0; i < count && i < TOP_SITES * 2; i++) {
        printf("%12s %6.1f%% %12s %6.1f%% %8llu  ", hb_size_format(rows[i].total, size),
               percent(rows[i].total, whole), hb_size_format(rows[i].own, own),
               percent(rows[i].own, whole), (unsigned long long)rows[i].blocks);
        print_place(stdout, &rows[i].where);
        putchar('\n');
    }
    if (count == 0)
        printf("(nothing %s)\n", what(o.leaks));
    free(rows);
    calltree_free(root);
    analysis_close(&a);
    return 0;
}

/* ---- tree: the call tree, biggest branches first */

static void print_tree(const tree_node *node, uint64_t whole, char *prefix, size_t depth,
                       int *lines) {
    for (size_t i = 0; i < node->child_count && *lines < TREE_LINES; i++) {
        const tree_node *child = node->children[i];
        bool last = i + 1 == node->child_count;
        char size[HB_SIZE_TEXT];
        printf("%s%s %s %5.1f%%  ", prefix, last ? "└─" : "├─", hb_size_format(child->bytes, size),
               percent(child->bytes, whole));
        print_place(stdout, &child->where);
        putchar('\n');
        (*lines)++;
        size_t length = strlen(prefix);
        strcpy(prefix + length, last ? "   " : "│  ");
        if (depth < CAPTURE_MAX_DEPTH)
            print_tree(child, whole, prefix, depth + 1, lines);
        prefix[length] = '\0';
    }
}

int command_tree(int argc, char **argv) {
    report_options o;
    analysis a;
    if (!parse_report_options("tree", "leaks", argc, argv, &o) || !analysis_open(o.capture, &a))
        return 2;
    tree_node *root = calltree_build(&a.capture, a.symbols, analysis_figures(&a, o.leaks));
    if (root == NULL) {
        analysis_close(&a);
        return 2;
    }
    calltree_sort(root);
    char size[HB_SIZE_TEXT];
    printf("%s %s, by call path:\n", hb_size_format(root->bytes, size), what(o.leaks));
    static char prefix[CAPTURE_MAX_DEPTH * 8];
    prefix[0] = '\0';
    int lines = 0;
    print_tree(root, root->bytes, prefix, 0, &lines);
    if (lines >= TREE_LINES)
        printf("... (the first %d lines; heapbook flamegraph shows all of it)\n", TREE_LINES);
    calltree_free(root);
    analysis_close(&a);
    return 0;
}

/* ---- stats: totals, sizes, the busiest sites */

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
        print_place(stdout, &rows[i].where);
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
    printf("Duration:           %.1f ms\n", r->duration_ms);
    printf("Allocations:        %llu (%llu freed)\n", (unsigned long long)r->allocations,
           (unsigned long long)r->frees);
    printf("Bytes allocated:    %s\n", hb_size_format(r->total_bytes, s1));
    printf("Peak heap:          %s at %.1f ms\n", hb_size_format(r->peak_bytes, s1),
           r->peak_time_ms);
    printf("Never freed:        %s in %llu block%s\n\n", hb_size_format(r->leaked_bytes, s1),
           (unsigned long long)r->leaked_blocks, r->leaked_blocks == 1 ? "" : "s");
    printf("Allocation sizes:\n");
    print_histogram(r);
    printf("\nSites that allocated the most bytes:\n");
    qsort(rows, count, sizeof *rows, by_own_bytes);
    print_top_sites(rows, count, false);
    printf("\nSites that allocated most often:\n");
    qsort(rows, count, sizeof *rows, by_own_blocks);
    print_top_sites(rows, count, true);
}

static void print_site_list(const site_row *rows, size_t count) {
    for (size_t i = 0; i < count && i < TOP_SITES && rows[i].blocks > 0; i++) {
        printf("%s\n    {\"function\": ", i ? "," : "");
        hb_json_string(stdout, rows[i].where.function);
        printf(", \"file\": ");
        hb_json_string(stdout, rows[i].where.file);
        printf(", \"line\": %d, \"bytes\": %llu, \"allocations\": %llu}", rows[i].where.line,
               (unsigned long long)rows[i].own, (unsigned long long)rows[i].blocks);
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
           "\"leaked_bytes\": %llu, \"leaked_blocks\": %llu,\n \"size_histogram\": [",
           a->capture.pid, r->duration_ms, (unsigned long long)r->allocations,
           (unsigned long long)r->frees, (unsigned long long)r->total_bytes,
           (unsigned long long)r->peak_bytes, r->peak_time_ms, (unsigned long long)r->leaked_bytes,
           (unsigned long long)r->leaked_blocks);
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
    qsort(rows, count, sizeof *rows, by_own_bytes);
    print_site_list(rows, count);
    printf("],\n \"top_by_count\": [");
    qsort(rows, count, sizeof *rows, by_own_blocks);
    print_site_list(rows, count);
    printf("]}\n");
}

int command_stats(int argc, char **argv) {
    report_options o;
    analysis a;
    if (!parse_report_options("stats", "json", argc, argv, &o) || !analysis_open(o.capture, &a))
        return 2;
    tree_node *root = calltree_build(&a.capture, a.symbols, a.replay.allocated);
    site_row *rows = NULL;
    size_t count = root ? calltree_sites(root, &rows) : 0;
    if (o.json)
        print_stats_json(&a, rows, count);
    else
        print_stats_text(&a, rows, count);
    free(rows);
    calltree_free(root);
    analysis_close(&a);
    return root ? 0 : 2;
}

/* ---- export --format collapsed: "main;f;g 1234" per stack */

int command_export(int argc, char **argv) {
    report_options o;
    analysis a;
    if (!parse_report_options("export", "format,leaks,o", argc, argv, &o))
        return 2;
    if (o.format == NULL || strcmp(o.format, "collapsed") != 0)
        return usage_error("export", "the one format is --format collapsed (flamegraph.pl, "
                                     "inferno and speedscope read it)");
    if (!analysis_open(o.capture, &a))
        return 2;
    FILE *out = o.output ? fopen(o.output, "w") : stdout;
    if (out == NULL) {
        perror(o.output);
        analysis_close(&a);
        return 2;
    }
    const stack_figures *figures = analysis_figures(&a, o.leaks);
    for (uint32_t id = 1; id <= a.capture.stack_count; id++) {
        if (figures[id].bytes == 0)
            continue;
        frame_info frames[CAPTURE_MAX_DEPTH];
        size_t depth = calltree_frames(&a.capture, a.symbols, id, frames);
        for (size_t f = 0; f < depth; f++) {
            if (f > 0)
                fputc(';', out);
            for (const char *c = frames[f].function; *c; c++) /* ';' and ' ' split frames */
                fputc(*c == ';' || *c == ' ' ? '_' : *c, out);
        }
        fprintf(out, " %llu\n", (unsigned long long)figures[id].bytes);
    }
    int status = (o.output && fclose(out) != 0) ? 2 : 0;
    analysis_close(&a);
    return status;
}
