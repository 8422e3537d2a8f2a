/* heapbook export: a capture's stacks, live at the peak or never freed,
 * in a format other tools read.  Each format is a row of FORMATS: its
 * writer, and how to recognize a file it wrote (output_file.h), so that
 * -o replaces only an earlier export of the same format. */
#include "analysis.h"
#include "commands.h"
#include "output_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
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

static void write_collapsed(FILE *out, analysis *a, const stack_figures *figures) {
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

/* ---- the formats */

typedef struct export_format {
    const char *name;
    output_kind output;
    void (*write)(FILE *out, analysis *a, const stack_figures *figures);
} export_format;

static const export_format FORMATS[] = {
    {"collapsed",
     {"the collapsed stacks", "collapsed stacks heapbook wrote", is_collapsed, true},
     write_collapsed},
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
    format->write(out, &a, analysis_figures(&a, o.leaks));
    int status = 0;
    if (o.output && fclose(out) != 0) {
        fprintf(stderr, "heapbook: cannot write %s: %s\n", o.output, strerror(errno));
        status = 2;
    }
    analysis_close(&a);
    return status;
}
