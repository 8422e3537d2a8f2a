/* collector_memory.so: the most memory `heapbook run` itself used (its
 * collector), apart from the program it records.  GNU time cannot say:
 * a process's maximum resident set size as wait4() reports it includes its
 * children's, and the recorded program is heapbook run's child.
 *
 * Preloaded into heapbook run (bench/capture.sh), it is inherited by the
 * program too; at exit, in the process named "heapbook" only, it appends
 * that process's high-water mark (VmHWM, in KiB) to the file
 * $HB_BENCH_COLLECTOR_MEMORY. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((destructor)) static void write_high_water_mark(void) {
    const char *out = getenv("HB_BENCH_COLLECTOR_MEMORY");
    if (out == NULL || strcmp(program_invocation_short_name, "heapbook") != 0)
        return;
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (status != NULL && fgets(line, sizeof line, status) != NULL)
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (status != NULL)
        fclose(status);
    FILE *file = fopen(out, "a");
    if (file != NULL) {
        fprintf(file, "%ld\n", kib);
        fclose(file);
    }
}
