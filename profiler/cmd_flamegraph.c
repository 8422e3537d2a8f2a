/* heapbook flamegraph: one self-contained HTML page (profiler/web/page.html)
 * with the captures' figures as JSON, and d3 and d3-flame-graph inlined, so
 * it opens offline from file://.
 *
 * One capture, several (the processes of a --follow-fork run, each a top
 * frame of its own), or two to compare (--diff).  The page gets the call
 * tree of every stack it may show, and for each capture the figures of
 * each stack at the peak, never freed, and at every point of the heap-over-
 * time curve (the temporal view); profiler/web/model.js folds them into
 * the flame graph of whichever moment is chosen. */
#include "analysis.h"
#include "base/base.h"
#include "commands.h"
#include "output_file.h"
#include "page_assets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One capture on the page. */
typedef struct run {
    analysis a;
    bool opened;
    snapshots moments; /* the temporal view, if taken */
    int64_t *index;    /* [stack id]: its position in `leaves`, -1 if not shown */
    tree_node **leaves;
    size_t shown;
    char *label; /* a process's top frame, on a combined page */
} run;

typedef struct page {
    run *runs;
    size_t count;
    bool diff, leaks, inverted;
    tree_node *root;
} page;

/* ---- which stacks each run shows, and the tree they make */

static void show(run *r, uint32_t id) {
    if (r->index[id] < 0)
        r->index[id] = (int64_t)r->shown++;
}

static bool choose_stacks(run *r) {
    const replay *p = &r->a.replay;
    size_t stacks = (size_t)p->stack_count + 1;
    r->index = malloc(stacks * sizeof *r->index);
    // NOLINTNEXTLINE(bugprone-sizeof-expression): the elements are pointers
    r->leaves = calloc(stacks, sizeof *r->leaves);
    if (r->index == NULL || r->leaves == NULL)
        return false;
    for (size_t id = 0; id < stacks; id++)
        r->index[id] = -1;
    for (uint32_t id = 0; id < stacks; id++)
        if (p->at_peak[id].blocks > 0 || p->leaked[id].blocks > 0)
            show(r, id);
    for (size_t i = 0; i < r->moments.entry_count; i++)
        show(r, r->moments.entries[i].stack);
    return true;
}

static bool add_to_tree(page *pg, run *r) {
    tree_node *top = pg->root;
    if (r->label != NULL) {
        frame_info process = {.function = r->label, .file = "", .module = ""};
        if ((top = calltree_child(pg->root, &process)) == NULL)
            return false;
    }
    for (uint32_t id = 0; id <= r->a.replay.stack_count; id++) {
        if (r->index[id] < 0)
            continue;
        tree_node *leaf = calltree_add(top, &r->a.capture, r->a.symbols, id, (stack_figures){0, 0});
        if (leaf == NULL)
            return false;
        r->leaves[r->index[id]] = leaf;
    }
    return true;
}

/* ---- the data */

static void write_nodes(FILE *out, const tree_node *node, bool *first) {
    fprintf(out, "%s\n  [%lld, ", *first ? "" : ",",
            node->parent ? (long long)node->parent->order : -1LL);
    *first = false;
    /* A frame without a symbol is named as the terminal names it. */
    char unnamed[1200];
    if (strcmp(node->where.function, "??") == 0 && node->where.module[0] != '\0')
        snprintf(unnamed, sizeof unnamed, "0x%llx in %s", (unsigned long long)node->where.offset,
                 node->where.module);
    hb_json_string(out, strcmp(node->where.function, "??") == 0 && node->where.module[0] != '\0'
                            ? unnamed
                            : node->where.function);
    fputs(", ", out);
    hb_json_string(out, node->where.file);
    fprintf(out, ", %d, ", node->where.line);
    hb_json_string(out, node->where.module);
    fprintf(out, ", %llu]", (unsigned long long)node->where.offset);
    for (size_t i = 0; i < node->child_count; i++)
        write_nodes(out, node->children[i], first);
}

/* [[stack, bytes, blocks], ...] of the stacks shown with non-zero figures. */
static void write_figures(FILE *out, const run *r, const stack_figures *figures) {
    bool first = true;
    fputc('[', out);
    for (uint32_t id = 0; id <= r->a.replay.stack_count; id++)
        if (r->index[id] >= 0 && figures[id].blocks > 0) {
            fprintf(out, "%s[%lld,%llu,%llu]", first ? "" : ",", (long long)r->index[id],
                    (unsigned long long)figures[id].bytes, (unsigned long long)figures[id].blocks);
            first = false;
        }
    fputc(']', out);
}

static double ms(uint64_t ns) { return (double)ns / 1e6; }

/* Each point's time to the ns: the page finds a moment by its time, and
 * two points' times can be less than a microsecond apart (replay.c's
 * curve_time()). */
static void write_curve(FILE *out, const replay *p) {
    fputc('[', out);
    for (size_t i = 0; i < p->curve_count; i++) {
        const curve_point *c = &p->curve[i];
        fprintf(out, "%s[%.6f,%llu,", i ? "," : "", ms(c->time_ns), (unsigned long long)c->heap);
        if (c->rss > 0)
            fprintf(out, "%llu]", (unsigned long long)c->rss);
        else
            fputs("null]", out);
    }
    fputc(']', out);
}

static void write_moments(FILE *out, const run *r) {
    const snapshots *s = &r->moments;
    fputc('[', out);
    for (size_t m = 0; m < s->count; m++) {
        fputs(m ? ",[" : "[", out);
        for (size_t e = s->first[m]; e < s->first[m + 1]; e++)
            fprintf(out, "%s[%lld,%llu,%llu]", e > s->first[m] ? "," : "",
                    (long long)r->index[s->entries[e].stack],
                    (unsigned long long)s->entries[e].bytes,
                    (unsigned long long)s->entries[e].blocks);
        fputc(']', out);
    }
    fputc(']', out);
}

static void write_run(FILE *out, const run *r, uint64_t earliest_wall_ns) {
    const replay *p = &r->a.replay;
    const capture *c = &r->a.capture;
    char command[4096];
    capture_command(c, command, sizeof command);
    fputs("{\"command\": ", out);
    hb_json_string(out, command);
    fputs(", \"label\": ", out);
    hb_json_string(out, r->label ? r->label : command);
    fprintf(out,
            ", \"pid\": %u, \"start_ms\": %.3f, \"duration_ms\": %.3f, \"ended\": %s, "
            "\"peak_bytes\": %llu, \"peak_time_ms\": %.3f, \"total_allocations\": %llu, "
            "\"total_bytes\": %llu, \"leaked_bytes\": %llu, \"leaked_blocks\": %llu, "
            "\"library_bytes\": %llu, \"library_blocks\": %llu, \"end_heap\": %llu, "
            "\"temporary_allocations\": %llu, \"peak_rss_bytes\": %llu",
            c->pid, ms(c->start_wall_ns - earliest_wall_ns), ms(p->duration_ns),
            c->ended ? "true" : "false", (unsigned long long)p->peak_bytes, ms(p->peak_time_ns),
            (unsigned long long)p->allocations, (unsigned long long)p->total_bytes,
            (unsigned long long)p->leaked_bytes, (unsigned long long)p->leaked_blocks,
            (unsigned long long)p->library_bytes, (unsigned long long)p->library_blocks,
            (unsigned long long)p->leaked_bytes + p->library_bytes,
            (unsigned long long)p->temporary, (unsigned long long)p->peak_rss);
    fputs(",\n  \"curve\": ", out);
    write_curve(out, p);
    fputs(",\n  \"stacks\": [", out);
    for (size_t i = 0; i < r->shown; i++)
        fprintf(out, "%s%zu", i ? "," : "", r->leaves[i]->order);
    fputs("],\n  \"peak\": ", out);
    write_figures(out, r, p->at_peak);
    fputs(",\n  \"leaks\": ", out);
    write_figures(out, r, p->leaked);
    fputs(",\n  \"moments\": ", out);
    write_moments(out, r);
    fprintf(out, ", \"moments_truncated\": %s}", r->moments.truncated ? "true" : "false");
}

/* The run a page of several is titled after: the process that started
 * first, the one heapbook run started (a diff: the AFTER run). */
static const run *title_run(const page *pg) {
    const run *first = &pg->runs[pg->count - 1];
    for (size_t i = 0; !pg->diff && i < pg->count; i++)
        if (pg->runs[i].a.capture.start_wall_ns < first->a.capture.start_wall_ns)
            first = &pg->runs[i];
    return first;
}

static void write_data(FILE *out, const page *pg) {
    char command[4096];
    capture_command(&title_run(pg)->a.capture, command, sizeof command);
    char title[4200];
    if (pg->count > 1 && !pg->diff)
        snprintf(title, sizeof title, "heapbook flamegraph: %zu processes of %s", pg->count,
                 command);
    else
        snprintf(title, sizeof title, "heapbook flamegraph: %s", command);
    uint64_t earliest = UINT64_MAX;
    for (size_t i = 0; i < pg->count; i++)
        if (pg->runs[i].a.capture.start_wall_ns < earliest)
            earliest = pg->runs[i].a.capture.start_wall_ns;
    fputs("{\"title\": ", out);
    hb_json_string(out, title);
    fprintf(out,
            ", \"mode\": \"%s\", \"view\": \"%s\", \"inverted\": %s, \"combined\": %s,\n "
            "\"runs\": [",
            pg->diff    ? "diff"
            : pg->leaks ? "leaks"
                        : "peak",
            pg->leaks ? "leaks" : "peak", pg->inverted ? "true" : "false",
            pg->count > 1 && !pg->diff ? "true" : "false");
    for (size_t i = 0; i < pg->count; i++) {
        fputs(i ? ",\n " : "\n ", out);
        write_run(out, &pg->runs[i], pg->diff ? pg->runs[i].a.capture.start_wall_ns : earliest);
    }
    fputs("],\n \"nodes\": [", out);
    bool first = true;
    write_nodes(out, pg->root, &first);
    fputs("]}", out);
}

/* The placeholder in the template's line "const HEAPBOOK = ...;" where the
 * captures' data goes. */
static const char DATA_MARK[] = "/*HEAPBOOK_DATA*/";

/* Copies the template, replacing each placeholder line with its content. */
static void write_page(FILE *out, const page *pg) {
    const char *t = page_template;
    while (*t) {
        const char *end = strchr(t, '\n');
        size_t length = end ? (size_t)(end - t) + 1 : strlen(t);
        const char *asset = page_asset_for(t, length), *mark;
        if (asset != NULL)
            fputs(asset, out);
        else if ((mark = memmem(t, length, DATA_MARK, sizeof DATA_MARK - 1)) != NULL) {
            fwrite(t, 1, (size_t)(mark - t), out);
            write_data(out, pg);
            const char *rest = mark + sizeof DATA_MARK - 1;
            fwrite(rest, 1, length - (size_t)(rest - t), out);
        } else
            fwrite(t, 1, length, out);
        t += length;
    }
}

/* ---- the command */

/* Every page starts with the template's first lines, which say what it is. */
static bool is_page(const unsigned char *start, size_t length) {
    static const char SAYS[] = "heapbook's flame graph page";
    return memmem(start, length, SAYS, sizeof SAYS - 1) != NULL;
}

static const output_kind PAGE_OUTPUT = {"the flame graph", "a flame graph page heapbook wrote",
                                        is_page, true};

static bool open_run(page *pg, run *r, const char *path) {
    char error[CAPTURE_ERROR];
    if (!analysis_open(path, &r->a))
        return false;
    r->opened = true;
    if (!pg->diff && !replay_snapshots(&r->a.capture, &r->a.replay, &r->moments, error)) {
        fprintf(stderr, "heapbook: %s\n", error);
        return false;
    }
    if (pg->count > 1 && !pg->diff) {
        char command[4096], label[4200];
        capture_command(&r->a.capture, command, sizeof command);
        snprintf(label, sizeof label, "%s (pid %u)", command, r->a.capture.pid);
        r->label = strdup(label);
    }
    if (!choose_stacks(r) || (pg->count > 1 && !pg->diff && r->label == NULL)) {
        fprintf(stderr, "heapbook: out of memory reading %s\n", path);
        return false;
    }
    return true;
}

static void close_page(page *pg) {
    for (size_t i = 0; i < pg->count; i++) {
        run *r = &pg->runs[i];
        if (r->opened)
            analysis_close(&r->a);
        snapshots_free(&r->moments);
        free(r->index);
        free(r->leaves);
        free(r->label);
    }
    free(pg->runs);
    calltree_free(pg->root);
}

int command_flamegraph(const command_options *options) {
    const command_options o = *options;
    page pg = {.diff = o.before != NULL, .leaks = o.leaks, .inverted = o.inverted};
    pg.count = pg.diff ? 2 : (size_t)o.operand_count;
    pg.runs = calloc(pg.count, sizeof *pg.runs);
    pg.root = calltree_root();
    bool ok = pg.runs != NULL && pg.root != NULL;
    if (!ok) {
        fprintf(stderr, "heapbook: out of memory\n");
        if (pg.runs == NULL)
            pg.count = 0; /* nothing for close_page() to close */
    }
    for (size_t i = 0; ok && i < pg.count; i++)
        ok = open_run(&pg, &pg.runs[i],
                      pg.diff ? (i == 0 ? o.before : o.operands[0]) : o.operands[i]);
    for (size_t i = 0; ok && i < pg.count; i++)
        if (!(ok = add_to_tree(&pg, &pg.runs[i])))
            fprintf(stderr, "heapbook: out of memory building the flame graph\n");
    char name[4096];
    snprintf(name, sizeof name, "%s.html", o.operands[0]);
    const char *path = o.output ? o.output : name;
    char *inputs[] = {o.operands[0], (char *)o.before};
    FILE *out = NULL;
    if (ok && pg.diff)
        out = output_file_open(path, &PAGE_OUTPUT, inputs, 2);
    else if (ok)
        out = output_file_open(path, &PAGE_OUTPUT, o.operands, (size_t)o.operand_count);
    int status = 2;
    if (out != NULL) {
        calltree_sort(pg.root);
        write_page(out, &pg);
        if (fclose(out) == 0) {
            status = 0;
            fprintf(stderr, "heapbook: wrote %s\n", path);
        } else {
            fprintf(stderr, "heapbook: cannot write %s: %s\n", path, strerror(errno));
        }
    }
    close_page(&pg);
    return status;
}
