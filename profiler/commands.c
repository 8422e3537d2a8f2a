/* commands.c: the table of heapbook's commands, their usage, and the
 * options the report commands share (commands.h). */
#include "commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const command_entry commands[] = {
    {"run", command_run, "run [-o FILE] [--follow-fork] [--mimalloc] PROGRAM [ARGS...]"},
    {"flamegraph", command_flamegraph,
     "flamegraph [-o FILE] [--leaks] [--inverted] CAPTURE... | --diff BEFORE AFTER"},
    {"summary", command_summary, "summary [--leaks] CAPTURE"},
    {"tree", command_tree, "tree [--leaks] CAPTURE"},
    {"stats", command_stats, "stats [--json] CAPTURE"},
    {"export", command_export, "export --format collapsed [--leaks] [-o FILE] CAPTURE"},
};
const int command_count = sizeof commands / sizeof commands[0];

void print_usage(FILE *out) {
    fprintf(out, "usage:\n");
    for (int i = 0; i < command_count; i++)
        fprintf(out, "  heapbook %s\n", commands[i].usage);
}

int usage_error(const char *command, const char *format, ...) {
    fprintf(stderr, "heapbook %s: ", command);
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    for (int i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, command) == 0)
            fprintf(stderr, "usage: heapbook %s\n", commands[i].usage);
    return 2;
}

static bool allows(const char *allowed, const char *option) {
    size_t n = strlen(option);
    for (const char *p = allowed; (p = strstr(p, option)) != NULL; p += n)
        if ((p == allowed || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

bool parse_report_options(const char *command, const char *allowed, int argc, char **argv,
                          report_options *options) {
    *options = (report_options){.captures = argv};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "-o") == 0 && allows(allowed, "o") && has_value)
            options->output = argv[++i];
        else if (strcmp(a, "--format") == 0 && allows(allowed, "format") && has_value)
            options->format = argv[++i];
        else if (strcmp(a, "--diff") == 0 && allows(allowed, "diff") && has_value)
            options->before = argv[++i];
        else if (strcmp(a, "--leaks") == 0 && allows(allowed, "leaks"))
            options->leaks = true;
        else if (strcmp(a, "--inverted") == 0 && allows(allowed, "inverted"))
            options->inverted = true;
        else if (strcmp(a, "--json") == 0 && allows(allowed, "json"))
            options->json = true;
        else if (a[0] == '-' || (options->capture_count > 0 && !allows(allowed, "captures"))) {
            usage_error(command, "unexpected argument %s", a);
            return false;
        } else
            argv[options->capture_count++] = argv[i]; /* never ahead of i */
    }
    if (options->capture_count == 0) {
        usage_error(command, "which capture? (heapbook run writes one)");
        return false;
    }
    if (options->before != NULL && options->capture_count > 1) {
        usage_error(command, "--diff compares two captures: BEFORE and one AFTER");
        return false;
    }
    options->capture = argv[0];
    return true;
}
