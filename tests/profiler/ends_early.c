/* Allocates 777 B, then ends at once without exit(): with _exit(3)
 * ("exit"), or killed by SIGSEGV ("crash").  Its capture must still be
 * readable, and say how it ended (tests/profiler/check.sh). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *kept;

int main(int argc, char **argv) {
    kept = malloc(777);
    if (argc > 1 && strcmp(argv[1], "crash") == 0)
        raise(SIGSEGV);
    _exit(3);
}
