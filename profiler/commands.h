/* commands: the subcommands of `heapbook`; each takes the arguments after
 * its name and returns the exit status. */
#ifndef HEAPBOOK_COMMANDS_H
#define HEAPBOOK_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

/* The commands, in the order usage lists them. */
typedef struct command_entry {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command_entry;
extern const command_entry commands[];
extern const int command_count;

/* "usage:" and a line per command. */
void print_usage(FILE *out);

int command_run(int argc, char **argv);
int command_flamegraph(int argc, char **argv);
int command_summary(int argc, char **argv);
int command_tree(int argc, char **argv);
int command_stats(int argc, char **argv);
int command_export(int argc, char **argv);

/* Prints "heapbook COMMAND: <message>" and the command's usage; returns 2. */
int usage_error(const char *command, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Options shared by the report commands. */
typedef struct report_options {
    const char *capture; /* the first capture */
    char **captures;     /* all of them (flamegraph takes several) */
    int capture_count;
    const char *output; /* -o FILE */
    const char *before; /* --diff BEFORE AFTER: BEFORE; `capture` is AFTER */
    const char *format; /* export --format */
    bool leaks, inverted, json;
} report_options;

/* Parses [-o FILE] [--leaks] [--inverted] [--json] [--format F]
 * [--diff BEFORE] CAPTURE, accepting only the options in `allowed`
 * (e.g. "o,leaks,json"), and several captures if it holds "captures".
 * Moves the captures to the front of argv.  Returns false after printing
 * the usage. */
bool parse_report_options(const char *command, const char *allowed, int argc, char **argv,
                          report_options *options);

#endif
