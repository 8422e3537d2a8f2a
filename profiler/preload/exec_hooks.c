/* exec_hooks.c: the exec family, so that heapbook run knows when a
 * recorded process replaces its program.  The new program's own copy of
 * the preload begins a new stream; if none comes (the process cleared
 * LD_PRELOAD, the program is static or set-user-ID, or it may no longer
 * open heapbook run's channel), heapbook run says that program was not
 * recorded, where the user reads heapbook's messages, and never in the
 * program's own output.
 *
 * Each function tells the recorder (recorder_exec) and forwards to the
 * next definition (dlsym(RTLD_NEXT)); the C library's exec functions call
 * its internal execve, which no hook sees, so each is hooked.  The
 * variadic execl family is turned into its vector form here, as the C
 * library does. */
#include "recorder.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#define HOOK __attribute__((visibility("default")))

typedef int exec_vector(const char *path, char *const argv[]);
typedef int exec_vector_environment(const char *path, char *const argv[], char *const envp[]);

/* The next definition of `name`, looked up once. */
#define NEXT(type, name)                                                                           \
    static type *next;                                                                             \
    if (next == NULL)                                                                              \
        next = (type *)dlsym(RTLD_NEXT, name);                                                     \
    if (next == NULL) {                                                                            \
        errno = ENOSYS;                                                                            \
        return -1;                                                                                 \
    }

/* Runs `call` between the two notes to the recorder; errno is the exec's. */
#define EXEC(path, call)                                                                           \
    recorder_exec(path, false);                                                                    \
    int result = call;                                                                             \
    int failure = errno;                                                                           \
    recorder_exec(path, true);                                                                     \
    errno = failure;                                                                               \
    return result;

HOOK int execve(const char *path, char *const argv[], char *const envp[]){
    NEXT(exec_vector_environment, "execve") EXEC(path, next(path, argv, envp))}

HOOK int execv(const char *path,
               char *const argv[]){NEXT(exec_vector, "execv") EXEC(path, next(path, argv))}

HOOK int execvp(const char *file,
                char *const argv[]){NEXT(exec_vector, "execvp") EXEC(file, next(file, argv))}

HOOK int execvpe(const char *file, char *const argv[], char *const envp[]){
    NEXT(exec_vector_environment, "execvpe") EXEC(file, next(file, argv, envp))}

HOOK int fexecve(int fd, char *const argv[], char *const envp[]) {
    typedef int fexecve_type(int, char *const[], char *const[]);
    NEXT(fexecve_type, "fexecve")
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    EXEC(path, next(fd, argv, envp))
}

HOOK int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags) {
    typedef int execveat_type(int, const char *, char *const[], char *const[], int);
    NEXT(execveat_type, "execveat")
    EXEC(path, next(dirfd, path, argv, envp, flags))
}

/* The arguments of an execl call, from `first` to its NULL: how many. */
static size_t count_arguments(const char *first, va_list arguments) {
    size_t count = 1;
    while (first != NULL && va_arg(arguments, const char *) != NULL)
        count++;
    return count;
}

/* Fills argv from `first` and `arguments` (count of them, then NULL);
 * returns what follows the NULL for execle (its envp), else unused. */
static char *const *fill_arguments(char **argv, size_t count, const char *first, va_list arguments,
                                   bool has_environment) {
    argv[0] = (char *)first;
    for (size_t i = 1; i < count; i++)
        argv[i] = va_arg(arguments, char *);
    argv[count] = NULL;
    if (first != NULL && count > 0)
        (void)va_arg(arguments, char *); /* the NULL */
    return has_environment ? va_arg(arguments, char *const *) : NULL;
}

/* execl, execlp, execle: the vector of their arguments (on the stack, as
 * the C library builds it), handed to the vector form's hook. */
#define EXEC_LIST(first, has_environment, vector_call)                                             \
    va_list arguments;                                                                             \
    va_start(arguments, first);                                                                    \
    size_t count = count_arguments(first, arguments);                                              \
    va_end(arguments);                                                                             \
    char *argv[count + 1];                                                                         \
    va_start(arguments, first);                                                                    \
    char *const *envp = fill_arguments(argv, count, first, arguments, has_environment);            \
    va_end(arguments);                                                                             \
    (void)envp;                                                                                    \
    return vector_call;

HOOK int execl(const char *path, const char *arg, ...){EXEC_LIST(arg, false, execv(path, argv))}

HOOK int execlp(const char *file, const char *arg, ...){EXEC_LIST(arg, false, execvp(file, argv))}

HOOK int execle(const char *path, const char *arg, ...) {
    EXEC_LIST(arg, true, execve(path, argv, envp))
}
