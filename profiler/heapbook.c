/* heapbook: records where a C program's heap goes, and shows it.
 *
 *   heapbook run [-o FILE] [--follow-fork] [--mimalloc] PROGRAM [ARGS...]
 *   heapbook flamegraph [-o FILE] [--leaks] [--inverted] CAPTURE...
 *   heapbook flamegraph --diff BEFORE AFTER [-o FILE]
 *   heapbook summary [--leaks] CAPTURE
 *   heapbook tree [--leaks] CAPTURE
 *   heapbook stats [--json] CAPTURE
 *   heapbook export --format collapsed [--leaks] [-o FILE] CAPTURE
 *
 * docs/profiler.md explains each with an example. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (int i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, argv[1]) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "heapbook: no command \"%s\"\n", argv[1]);
    print_usage(stderr);
    return 2;
}
