/* heapbook export: a capture's stacks, live at the peak or never freed,
 * in a format other tools read: collapsed stacks (flamegraph.pl, inferno),
 * pprof (export_pprof.h), speedscope's own, and a CSV table of the call
 * sites.  Each format is a row of FORMATS: its
 * writer, and how to recognize a file it wrote (output_file.h), so that
 * -o replaces only an earlier export of the same format. */
#include "analysis.h"
#include "base/base.h"
#include "commands.h"
#include "export_pprof.h"
#include "index_map.h"
#include "output_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NAME_TEXT = 1200 };

/* ---- collapsed: "main;f;g 1234" per stack (flamegraph.pl, inferno) */

/* A frame's name for flamegraph.pl and the like: ';' and ' ' split frames
 * there, so they become '_'. */
static void put_collapsed_name(FILE *out, const frame_info *f) {
    char text[NAME_TEXT];
    if (strcmp(f->function, "??") == 0 && f->module[0] != '\0')
        snprintf(text, sizeof text, "%s+0x%llx", f->module, (unsigned long long)f->offset);
    else
        snprintf(text, sizeof text, "%s", f->function);
    for (const char *c = text; *c; c++)
        fputc(*c == ';' || *c == ' ' ? '_' : *c, out);
}

static bool write_collapsed(FILE *out, analysis *a, bool leaks) {
    const stack_figures *figures = analysis_figures(a, leaks);
    for (uint32_t id = 1; id <= a->capture.stack_count; id++) { /* stack 0 has no frames */
        if (figures[id].bytes == 0)
            continue;
        frame_info frames[CALLTREE_MAX_FRAMES];
        size_t depth = calltree_frames(&a->capture, a->symbols, id, frames);
        for (size_t f = 0; f < depth; f++) {
            if (f > 0)
                fputc(';', out);
            put_collapsed_name(out, &frames[f]);
        }
        fprintf(out, " %llu\n", (unsigned long long)figures[id].bytes);
    }
    return true;
}

/* Every whole line of the file's start is "FRAMES BYTES": a space, then
 * digits, and no other space. */
static bool is_collapsed(const unsigned char *start, size_t length) {
    size_t line = 0, lines = 0;
    for (size_t i = 0; i < length; i++) {
        if (start[i] != '\n')
            continue;
        size_t space = i;
        while (space > line && isdigit(start[space - 1]))
            space--;
        if (space == i || space == line || start[space - 1] != ' ' ||
            memchr(start + line, ' ', space - 1 - line) != NULL)
            return false;
        lines++;
        line = i + 1;
    }
    return lines > 0;
}

/* A frame's name where a tool shows only a name: the function, or
 * "0x1139 in libfoo.so" without one. */
static const char *frame_name(const frame_info *f, char *text, size_t size) {
    if (strcmp(f->function, "??") == 0 && f->module[0] != '\0')
        snprintf(text, size, "0x%llx in %s", (unsigned long long)f->offset, f->module);
    else
        snprintf(text, size, "%s", f->function);
    return text;
}

/* ---- speedscope: its file format (speedscope's file-format-schema.json),
 * one sampled profile in bytes, each sample a stack, outermost first */

static const char SPEEDSCOPE_SCHEMA[] = "https://www.speedscope.app/file-format-schema.json";
static const char SPEEDSCOPE_EXPORTER[] = "heapbook export";

static uint64_t frame_key_hash(const void *frame) { return frame_hash(frame); }
static bool frame_key_equal(const void *a, const void *b) { return frame_same_place(a, b); }

/* The index of `f` (which must outlive `frames`, which holds each place
 * once), writing it into the frames list the first time; UINT32_MAX if
 * memory runs out. */
static uint32_t frame_index(index_map *frames, const frame_info *f, FILE *out) {
    uint32_t index;
    bool added;
    if (!index_map_get(frames, f, (uint32_t)frames->count, &index, &added))
        return UINT32_MAX;
    if (added) {
        char name[NAME_TEXT];
        fputs(index ? ",\n  {\"name\": " : "\n  {\"name\": ", out);
        hb_json_string(out, frame_name(f, name, sizeof name));
        if (f->file[0] != '\0') {
            fputs(", \"file\": ", out);
            hb_json_string(out, f->file);
            fprintf(out, ", \"line\": %d", f->line);
        }
        fputc('}', out);
    }
    return index;
}

static bool write_speedscope(FILE *out, analysis *a, bool leaks) {
    const stack_figures *figures = analysis_figures(a, leaks);
    /* The frames of every stack shown are gathered first (the table keeps
     * pointers to them), then written: the frames, then the samples. */
    uint32_t shown = 0;
    for (uint32_t id = 1; id <= a->capture.stack_count; id++)
        shown += figures[id].bytes > 0;
    frame_info(*stacks)[CALLTREE_MAX_FRAMES] = calloc(shown ? shown : 1, sizeof *stacks);
    size_t *depths = calloc(shown ? shown : 1, sizeof *depths);
    uint64_t *weights = calloc(shown ? shown : 1, sizeof *weights);
    index_map table = {.hash = frame_key_hash, .equal = frame_key_equal};
    bool ok = stacks != NULL && depths != NULL && weights != NULL;
    char command[4096];
    capture_command(&a->capture, command, sizeof command);
    fprintf(out, "{\"$schema\": \"%s\",\n \"exporter\": \"%s\",\n \"name\": ", SPEEDSCOPE_SCHEMA,
            SPEEDSCOPE_EXPORTER);
    hb_json_string(out, command);
    fputs(",\n \"activeProfileIndex\": 0,\n \"shared\": {\"frames\": [", out);
    uint32_t n = 0;
    uint64_t total = 0;
    for (uint32_t id = 1; ok && id <= a->capture.stack_count; id++) {
        if (figures[id].bytes == 0)
            continue;
        depths[n] = calltree_frames(&a->capture, a->symbols, id, stacks[n]);
        weights[n] = figures[id].bytes;
        total += weights[n++];
    }
    for (uint32_t i = 0; ok && i < n; i++)
        for (size_t f = 0; ok && f < depths[i]; f++)
            ok = frame_index(&table, &stacks[i][f], out) != UINT32_MAX;
    fputs("]},\n \"profiles\": [{\"type\": \"sampled\", \"name\": ", out);
    char name[4200];
    snprintf(name, sizeof name, "%s: %s", command, analysis_what(leaks));
    hb_json_string(out, name);
    fprintf(out, ", \"unit\": \"bytes\", \"startValue\": 0, \"endValue\": %llu,\n  \"samples\": [",
            (unsigned long long)total);
    for (uint32_t i = 0; ok && i < n; i++) {
        fputs(i ? ",\n   [" : "\n   [", out);
        for (size_t f = 0; f < depths[i]; f++)
            fprintf(out, "%s%u", f ? "," : "", frame_index(&table, &stacks[i][f], out));
        fputc(']', out);
    }
    fputs("],\n  \"weights\": [", out);
    for (uint32_t i = 0; ok && i < n; i++)
        fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)weights[i]);
    fputs("]}]}\n", out);
    index_map_free(&table, NULL);
    free(stacks);
    free(depths);
    free(weights);
    return ok;
}

static bool is_speedscope(const unsigned char *start, size_t length) {
    return memmem(start, length, SPEEDSCOPE_SCHEMA, sizeof SPEEDSCOPE_SCHEMA - 1) != NULL &&
           memmem(start, length, SPEEDSCOPE_EXPORTER, sizeof SPEEDSCOPE_EXPORTER - 1) != NULL;
}

/* ---- csv: one row per call site (a function at a line), RFC 4180 */

static const char CSV_HEADER[] = "function,file,line,module,total_bytes,own_bytes,own_blocks\r\n";

static void put_csv_field(FILE *out, const char *text) {
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static bool write_csv(FILE *out, analysis *a, bool leaks) {
    const stack_figures *figures = analysis_figures(a, leaks);
    site_row *rows = NULL;
    size_t count = calltree_sites(&a->capture, a->symbols, figures, NULL, &rows);
    if (count == (size_t)-1)
        return false;
    fputs(CSV_HEADER, out);
    for (size_t i = 0; i < count; i++) {
        char name[NAME_TEXT];
        const frame_info *f = &rows[i].where;
        put_csv_field(out, frame_name(f, name, sizeof name));
        fputc(',', out);
        put_csv_field(out, f->file);
        fprintf(out, ",%d,", f->line);
        put_csv_field(out, f->module);
        fprintf(out, ",%llu,%llu,%llu\r\n", (unsigned long long)rows[i].total,
                (unsigned long long)rows[i].own, (unsigned long long)rows[i].blocks);
    }
    free(rows);
    return true;
}

static bool is_csv(const unsigned char *start, size_t length) {
    return length >= sizeof CSV_HEADER - 1 && memcmp(start, CSV_HEADER, sizeof CSV_HEADER - 1) == 0;
}

/* ---- the formats */

typedef struct export_format {
    const char *name;
    output_kind output;
    /* False if memory ran out: what was written is not whole. */
    bool (*write)(FILE *out, analysis *a, bool leaks);
} export_format;

static const export_format FORMATS[] = {
    {"collapsed",
     {"the collapsed stacks", "collapsed stacks heapbook wrote", is_collapsed, true},
     write_collapsed},
    {"pprof",
     {"the pprof profile", "a pprof profile heapbook wrote", export_pprof_recognize, true},
     export_pprof},
    {"speedscope",
     {"the speedscope profile", "a speedscope profile heapbook wrote", is_speedscope, true},
     write_speedscope},
    {"csv", {"the CSV table", "a CSV table heapbook wrote", is_csv, true}, write_csv},
};
enum { FORMAT_COUNT = sizeof FORMATS / sizeof FORMATS[0] };

static const export_format *format_named(const char *name) {
    for (size_t i = 0; name != NULL && i < FORMAT_COUNT; i++)
        if (strcmp(FORMATS[i].name, name) == 0)
            return &FORMATS[i];
    return NULL;
}

int command_export(const command_options *options) {
    const command_options o = *options;
    analysis a;
    const export_format *format = format_named(o.format);
    if (format == NULL)
        return command_usage_error(
            o.command, "%s",
            o.format == NULL
                ? "which format? (--format collapsed, pprof, speedscope or csv)"
                : "no such format; the formats are collapsed, pprof, speedscope and csv");
    if (!analysis_open(o.operands[0], &a))
        return 2;
    FILE *out = o.output ? output_file_open(o.output, &format->output, o.operands, 1) : stdout;
    if (out == NULL) {
        analysis_close(&a);
        return 2;
    }
    int status = 0;
    if (!format->write(out, &a, o.leaks)) {
        fprintf(stderr, "heapbook: out of memory writing %s of %s\n", format->output.what,
                o.operands[0]);
        status = 2;
    }
    /* cppcheck-suppress useClosedFile ; closes a file, or flushes stdout: never both */
    if (o.output ? fclose(out) != 0 : fflush(out) != 0) {
        fprintf(stderr, "heapbook: cannot write %s: %s\n",
                o.output ? o.output : "the standard output", strerror(errno));
        status = 2;
    }
    analysis_close(&a);
    return status;
}
