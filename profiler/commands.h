/* commands: the subcommands of `heapbook`; each takes the arguments after
 * its name and returns the exit status. */
#ifndef HEAPBOOK_COMMANDS_H
#define HEAPBOOK_COMMANDS_H

#include <stdbool.h>

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
    const char *capture;
    const char *output; /* -o FILE */
    const char *before; /* --diff BEFORE AFTER: BEFORE; `capture` is AFTER */
    const char *format; /* export --format */
    bool leaks, inverted, json;
} report_options;

/* Parses [-o FILE] [--leaks] [--inverted] [--json] [--format F]
 * [--diff BEFORE] CAPTURE, accepting only the options in `allowed`
 * (e.g. "o,leaks,json").  Returns false after printing the usage. */
bool parse_report_options(const char *command, const char *allowed, int argc, char **argv,
                          report_options *options);

#endif
