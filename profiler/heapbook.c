/* heapbook: records where a C program's heap goes, and shows it.
 *
 *   heapbook run [-o FILE] [--follow-fork] PROGRAM [ARGS...]
 *   heapbook flamegraph [-o FILE] [--leaks] [--inverted] CAPTURE
 *   heapbook flamegraph --diff BEFORE AFTER [-o FILE]
 *   heapbook summary [--leaks] CAPTURE
 *   heapbook tree [--leaks] CAPTURE
 *   heapbook stats [--json] CAPTURE
 *   heapbook export --format collapsed [--leaks] [-o FILE] CAPTURE
 *
 * docs/profiler.md explains each with an example. */
#include "commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *usage;
} commands[] = {
    {"run", command_run, "run [-o FILE] [--follow-fork] PROGRAM [ARGS...]"},
    {"flamegraph", command_flamegraph,
     "flamegraph [-o FILE] [--leaks] [--inverted] CAPTURE | --diff BEFORE AFTER"},
    {"summary", command_summary, "summary [--leaks] CAPTURE"},
    {"tree", command_tree, "tree [--leaks] CAPTURE"},
    {"stats", command_stats, "stats [--json] CAPTURE"},
    {"export", command_export, "export --format collapsed [--leaks] [-o FILE] CAPTURE"},
};
enum { COMMAND_COUNT = sizeof commands / sizeof commands[0] };

static void print_usage(FILE *out) {
    fprintf(out, "usage:\n");
    for (int i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  heapbook %s\n", commands[i].usage);
}

int usage_error(const char *command, const char *format, ...) {
    fprintf(stderr, "heapbook %s: ", command);
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    for (int i = 0; i < COMMAND_COUNT; i++)
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
    *options = (report_options){0};
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
        else if (a[0] == '-' || options->capture != NULL) {
            usage_error(command, "unexpected argument %s", a);
            return false;
        } else
            options->capture = a;
    }
    if (options->capture == NULL) {
        usage_error(command, "which capture? (heapbook run writes one)");
        return false;
    }
    return true;
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (int i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, argv[1]) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "heapbook: no command \"%s\"\n", argv[1]);
    print_usage(stderr);
    return 2;
}
