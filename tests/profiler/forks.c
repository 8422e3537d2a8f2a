/* Forks a child that allocates 2000 B and frees them, while the parent
 * holds 1000 B: with --follow-fork, two captures whose peaks are 1000 B
 * (the parent's) and 2000 B (the child's: a forked child's capture counts
 * what it allocates itself). */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    char *mine = malloc(1000);
    pid_t child = fork();
    if (child == 0) {
        free(malloc(2000)); /* CHILD_ALLOCATES */
        exit(0);
    }
    int status = 1;
    waitpid(child, &status, 0);
    free(mine);
    return status == 0 ? 0 : 1;
}
