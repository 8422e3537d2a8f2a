/* commands: the subcommands of `heapbook`, their usage, and the one
 * option parser they share.  main() (heapbook.c) finds the command,
 * parses its options against the command's row of `commands`, and runs it
 * with them; a command never reads argv itself. */
#ifndef HEAPBOOK_COMMANDS_H
#define HEAPBOOK_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

typedef struct command_entry command_entry;

/* A command's options and operands, as parsed. */
typedef struct command_options {
    const command_entry *command;
    char **operands; /* the captures, or the program and its arguments */
    int operand_count;
    const char *output; /* -o FILE */
    const char *format; /* export --format */
    const char *before; /* flamegraph --diff BEFORE: operands[0] is AFTER */
    bool leaks, inverted, json, follow_fork, mimalloc;
    unsigned depth, lines; /* tree --depth, --lines: 0 if not given */
} command_options;

/* What a command's operands are. */
enum command_operands {
    ONE_CAPTURE,
    CAPTURES, /* one or more */
    PROGRAM,  /* a program and its arguments: options stop at it */
};

struct command_entry {
    const char *name;
    int (*run)(const command_options *options);
    const char *usage;   /* after "heapbook NAME " */
    const char *options; /* the options it takes, by name, comma-separated: "o,leaks" */
    enum command_operands operands;
};

/* The commands, in the order usage lists them. */
extern const command_entry commands[];
extern const int command_count;

/* "usage:" and a line per command. */
void print_usage(FILE *out);

/* The command named `name`, or NULL. */
const command_entry *command_named(const char *name);

/* Parses the arguments after the command's name (moving the operands to
 * the front of argv).  True with *options set; else false with the exit
 * status to end with in *status: 2 after saying what is wrong and the
 * command's usage on stderr, 0 after printing the usage for --help. */
bool command_parse(const command_entry *command, int argc, char **argv, command_options *options,
                   int *status);

/* Prints "heapbook COMMAND: <message>" and the command's usage on stderr;
 * returns 2. */
int command_usage_error(const command_entry *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

int command_run(const command_options *options);
int command_flamegraph(const command_options *options);
int command_summary(const command_options *options);
int command_tree(const command_options *options);
int command_stats(const command_options *options);
int command_export(const command_options *options);

#endif
