/* commands.c: the table of heapbook's commands, their usage, and the
 * option parser they share (commands.h). */
#include "commands.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const command_entry commands[] = {
    {"run", command_run, "[-o FILE] [--follow-fork] [--mimalloc] PROGRAM [ARGS...]",
     "o,follow-fork,mimalloc", PROGRAM},
    {"flamegraph", command_flamegraph,
     "[-o FILE] [--leaks] [--inverted] CAPTURE... | --diff BEFORE AFTER [-o FILE]",
     "o,leaks,inverted,diff", CAPTURES},
    {"summary", command_summary, "[--leaks] CAPTURE", "leaks", ONE_CAPTURE},
    {"tree", command_tree, "[--leaks] [--depth N] [--lines N] CAPTURE", "leaks,depth,lines",
     ONE_CAPTURE},
    {"stats", command_stats, "[--json] CAPTURE", "json", ONE_CAPTURE},
    {"export", command_export,
     "--format collapsed|pprof|speedscope|csv [--leaks] [-o FILE] CAPTURE", "format,leaks,o",
     ONE_CAPTURE},
};
const int command_count = sizeof commands / sizeof commands[0];

void print_usage(FILE *out) {
    fprintf(out, "usage:\n");
    for (int i = 0; i < command_count; i++)
        fprintf(out, "  heapbook %s %s\n", commands[i].name, commands[i].usage);
}

const command_entry *command_named(const char *name) {
    for (int i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int command_usage_error(const command_entry *command, const char *format, ...) {
    fprintf(stderr, "heapbook %s: ", command->name);
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\nusage: heapbook %s %s\n", command->name, command->usage);
    return 2;
}

/* ---- the options */

typedef enum { FLAG, TEXT, NUMBER } option_kind;

typedef struct option {
    const char *name; /* as commands' `options` name it */
    const char *flag; /* as typed */
    option_kind kind;
    const char *needs; /* what its value is, for "-o needs a file" */
    size_t field;      /* offsetof() into command_options */
} option;

static const option OPTIONS[] = {
    {"o", "-o", TEXT, "a file", offsetof(command_options, output)},
    {"format", "--format", TEXT, "a format: collapsed, pprof, speedscope or csv",
     offsetof(command_options, format)},
    {"diff", "--diff", TEXT, "the capture before (--diff BEFORE AFTER)",
     offsetof(command_options, before)},
    {"depth", "--depth", NUMBER, "a number of levels", offsetof(command_options, depth)},
    {"lines", "--lines", NUMBER, "a number of lines", offsetof(command_options, lines)},
    {"leaks", "--leaks", FLAG, NULL, offsetof(command_options, leaks)},
    {"inverted", "--inverted", FLAG, NULL, offsetof(command_options, inverted)},
    {"json", "--json", FLAG, NULL, offsetof(command_options, json)},
    {"follow-fork", "--follow-fork", FLAG, NULL, offsetof(command_options, follow_fork)},
    {"mimalloc", "--mimalloc", FLAG, NULL, offsetof(command_options, mimalloc)},
};
enum { OPTION_COUNT = sizeof OPTIONS / sizeof OPTIONS[0] };

static bool takes(const command_entry *command, const char *name) {
    size_t n = strlen(name);
    for (const char *p = command->options; (p = strstr(p, name)) != NULL; p += n)
        if ((p == command->options || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

/* The option `argument` names ("--format" or "--format=csv"), if the
 * command takes it; *inline_value is what follows '=', or NULL. */
static const option *option_named(const command_entry *command, const char *argument,
                                  const char **inline_value) {
    size_t length = strcspn(argument, "=");
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (strlen(OPTIONS[i].flag) == length && strncmp(OPTIONS[i].flag, argument, length) == 0 &&
            takes(command, OPTIONS[i].name)) {
            *inline_value = argument[length] == '=' ? argument + length + 1 : NULL;
            return &OPTIONS[i];
        }
    return NULL;
}

/* Sets option `o` from `value`; 0, or the status after the error. */
static int set_option(const command_entry *command, const option *o, const char *value,
                      command_options *options) {
    char *field = (char *)options + o->field;
    if (o->kind == TEXT) {
        *(const char **)field = value;
        return 0;
    }
    char *end;
    unsigned long n = strtoul(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end != '\0' || n == 0 || n > UINT_MAX)
        return command_usage_error(command, "%s needs %s (1 or more), not \"%s\"", o->flag,
                                   o->needs, value);
    *(unsigned *)field = (unsigned)n;
    return 0;
}

/* Checks the operands against what the command reads. */
static int check_operands(const command_entry *command, const command_options *o) {
    if (command->operands == PROGRAM)
        return o->operand_count == 0 ? command_usage_error(command, "which program?") : 0;
    if (o->operand_count == 0)
        return command_usage_error(command, "which capture? (heapbook run writes one)");
    if (o->before != NULL && o->operand_count > 1)
        return command_usage_error(command, "--diff compares two captures: BEFORE and one AFTER");
    if (command->operands == ONE_CAPTURE && o->operand_count > 1)
        return command_usage_error(command, "unexpected argument %s: it reads one capture",
                                   o->operands[1]);
    return 0;
}

bool command_parse(const command_entry *command, int argc, char **argv, command_options *options,
                   int *status) {
    *options = (command_options){.command = command, .operands = argv};
    bool options_end = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (options_end || a[0] != '-' || a[1] == '\0') { /* an operand ("-" too) */
            argv[options->operand_count++] = argv[i];     /* never ahead of i */
            if (command->operands == PROGRAM)
                options_end = true; /* the program's own arguments follow */
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_end = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: heapbook %s %s\n", command->name, command->usage);
            *status = 0;
            return false;
        }
        const char *value;
        const option *o = option_named(command, a, &value);
        if (o == NULL || (o->kind == FLAG && value != NULL)) {
            *status = o == NULL ? command_usage_error(command, "unknown option %s", a)
                                : command_usage_error(command, "%s takes no value", o->flag);
            return false;
        }
        if (o->kind == FLAG) {
            *(bool *)((char *)options + o->field) = true;
            continue;
        }
        if (value == NULL && i + 1 == argc) {
            *status = command_usage_error(command, "%s needs %s", o->flag, o->needs);
            return false;
        }
        if ((*status = set_option(command, o, value != NULL ? value : argv[++i], options)) != 0)
            return false;
    }
    argv[options->operand_count] = NULL; /* argv[argc] is: operands end as argv does */
    *status = check_operands(command, options);
    return *status == 0;
}
