/* heapbook flamegraph: one self-contained HTML page (profiler/web/page.html)
 * with the capture's figures as JSON, and d3 and d3-flame-graph inlined, so
 * it opens offline from file://. */
#include "analysis.h"
#include "commands.h"
#include "page_assets.h"
#include "support/support.h"

#include <stdio.h>
#include <string.h>

static void write_node(FILE *out, const tree_node *node, bool diff) {
    fputs("{\"name\": ", out);
    hb_json_string(out, node->where.function);
    fputs(", \"file\": ", out);
    hb_json_string(out, node->where.file);
    fprintf(out, ", \"line\": %d, \"value\": %llu, \"allocations\": %llu", node->where.line,
            (unsigned long long)node->bytes, (unsigned long long)node->blocks);
    if (diff)
        fprintf(out, ", \"delta\": %lld", (long long)node->delta);
    if (node->child_count > 0) {
        fputs(", \"children\": [", out);
        for (size_t i = 0; i < node->child_count; i++) {
            if (i > 0)
                fputc(',', out);
            write_node(out, node->children[i], diff);
        }
        fputc(']', out);
    }
    fputc('}', out);
}

/* The figures of one capture, as the page's stats panel shows them. */
static void write_figures(FILE *out, const analysis *a) {
    const replay *r = &a->replay;
    char command[4096];
    capture_command(&a->capture, command, sizeof command);
    fputs("\"command\": ", out);
    hb_json_string(out, command);
    fprintf(out,
            ", \"pid\": %u, \"duration_ms\": %.3f, \"peak_bytes\": %llu, \"peak_time_ms\": %.3f, "
            "\"total_allocations\": %llu, \"total_bytes\": %llu, \"leaked_bytes\": %llu, "
            "\"leaked_blocks\": %llu",
            a->capture.pid, r->duration_ms, (unsigned long long)r->peak_bytes, r->peak_time_ms,
            (unsigned long long)r->allocations, (unsigned long long)r->total_bytes,
            (unsigned long long)r->leaked_bytes, (unsigned long long)r->leaked_blocks);
}

/* The heap from every event (replay's curve, starting at 0) and the
 * resident set size from the 10 ms samples: points with one or the other. */
static void write_samples(FILE *out, const analysis *a) {
    const replay *r = &a->replay;
    fputs("\"samples\": [{\"t\": 0, \"heap\": 0}", out);
    for (size_t i = 0; i < r->curve_count; i++)
        fprintf(out, ", {\"t\": %.3f, \"heap\": %llu}", r->curve[i].time_ms,
                (unsigned long long)r->curve[i].heap);
    /* ... and what stays live until the end. */
    fprintf(out, ", {\"t\": %.3f, \"heap\": %llu}", r->duration_ms,
            (unsigned long long)r->leaked_bytes);
    for (size_t i = 0; i < r->sample_count; i++)
        fprintf(out, ", {\"t\": %.3f, \"rss\": %llu}", r->samples[i].time_ms,
                (unsigned long long)r->samples[i].rss);
    fputc(']', out);
}

static void write_data(FILE *out, const analysis *after, const analysis *before,
                       const tree_node *root, const char *mode, bool inverted) {
    char command[4096];
    capture_command(&after->capture, command, sizeof command);
    char title[4200];
    snprintf(title, sizeof title, "heapbook flamegraph: %s", command);
    fputs("{\"title\": ", out);
    hb_json_string(out, title);
    fprintf(out, ", \"mode\": \"%s\", \"inverted\": %s, ", mode, inverted ? "true" : "false");
    write_figures(out, after);
    fputs(", ", out);
    write_samples(out, after);
    if (before != NULL) {
        fputs(", \"before\": {", out);
        write_figures(out, before);
        fputs(", ", out);
        write_samples(out, before);
        fputs("}, \"after\": {", out);
        write_figures(out, after);
        fputs(", ", out);
        write_samples(out, after);
        fputc('}', out);
    }
    fputs(", \"flame\": ", out);
    write_node(out, root, before != NULL);
    fputc('}', out);
}

/* The placeholder in the template's line "const HEAPBOOK = ...;" where the
 * capture's data goes. */
static const char DATA_MARK[] = "/*HEAPBOOK_DATA*/";

/* Copies the template, replacing each placeholder line with its content. */
static void write_page(FILE *out, const analysis *after, const analysis *before,
                       const tree_node *root, const char *mode, bool inverted) {
    const char *t = page_template;
    while (*t) {
        const char *end = strchr(t, '\n');
        size_t length = end ? (size_t)(end - t) + 1 : strlen(t);
        const char *asset = page_asset_for(t, length), *mark;
        if (asset != NULL)
            fputs(asset, out);
        else if ((mark = memmem(t, length, DATA_MARK, sizeof DATA_MARK - 1)) != NULL) {
            fwrite(t, 1, (size_t)(mark - t), out);
            write_data(out, after, before, root, mode, inverted);
            const char *rest = mark + sizeof DATA_MARK - 1;
            fwrite(rest, 1, length - (size_t)(rest - t), out);
        } else
            fwrite(t, 1, length, out);
        t += length;
    }
}

int command_flamegraph(int argc, char **argv) {
    report_options o;
    if (!parse_report_options("flamegraph", "o,leaks,inverted,diff", argc, argv, &o))
        return 2;
    analysis after, before;
    if (!analysis_open(o.capture, &after))
        return 2;
    if (o.before != NULL && !analysis_open(o.before, &before)) {
        analysis_close(&after);
        return 2;
    }
    tree_node *root =
        calltree_build(&after.capture, after.symbols, analysis_figures(&after, o.leaks));
    if (root != NULL && o.before != NULL) {
        tree_node *now = root;
        tree_node *old =
            calltree_build(&before.capture, before.symbols, analysis_figures(&before, o.leaks));
        root = old ? calltree_diff(old, now) : NULL;
        calltree_free(now);
    }
    int status = 2;
    char name[4096];
    if (o.output == NULL)
        snprintf(name, sizeof name, "%s.html", o.capture);
    FILE *out = fopen(o.output ? o.output : name, "w");
    if (root == NULL)
        fprintf(stderr, "heapbook: out of memory building the flame graph\n");
    else if (out == NULL)
        perror(o.output ? o.output : name);
    else {
        calltree_sort(root);
        write_page(out, &after, o.before ? &before : NULL, root,
                   o.before  ? "diff"
                   : o.leaks ? "leaks"
                             : "peak",
                   o.inverted);
        status = fclose(out) == 0 ? 0 : 2;
        out = NULL;
        if (status == 0)
            fprintf(stderr, "heapbook: wrote %s\n", o.output ? o.output : name);
    }
    if (out != NULL)
        fclose(out);
    calltree_free(root);
    if (o.before != NULL)
        analysis_close(&before);
    analysis_close(&after);
    return status;
}
