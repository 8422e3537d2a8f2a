/* heapbook: records where a C program's heap goes, and shows it.
 *
 *   heapbook run [-o FILE] [--follow-fork] [--mimalloc] PROGRAM [ARGS...]
 *   heapbook flamegraph [-o FILE] [--leaks] [--inverted] CAPTURE...
 *   heapbook flamegraph --diff BEFORE AFTER [-o FILE]
 *   heapbook summary [--leaks] CAPTURE
 *   heapbook tree [--leaks] [--depth N] [--lines N] CAPTURE
 *   heapbook stats [--json] CAPTURE
 *   heapbook export --format collapsed|pprof|speedscope|csv [--leaks] [-o FILE] CAPTURE
 *
 * docs/profiler.md explains each with an example; commands.c holds the
 * usage and the options of each. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const command_entry *command = command_named(argv[1]);
    if (command == NULL) {
        fprintf(stderr, "heapbook: no command \"%s\"\n", argv[1]);
        print_usage(stderr);
        return 2;
    }
    command_options options;
    int status;
    if (!command_parse(command, argc - 2, argv + 2, &options, &status))
        return status;
    return command->run(&options);
}
