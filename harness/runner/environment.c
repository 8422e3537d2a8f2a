/* environment.c: the HEAPBOOK_* variables (runner.h: Environment).  Read
 * before any constructor runs, so code under test cannot change them;
 * checked in main(), before any test runs, so a typo stops the run with
 * its reason instead of being ignored or half-read. */
#include "runner.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* A value is kept whole or not at all: a copy cut short could read as a
 * valid value that is not the one given.  PATH_MAX holds any path the
 * times file can have. */
enum { VALUE_MAX = PATH_MAX };

static const char *const names[HB_ENV_COUNT] = {
    [HB_ENV_FORK] = "HEAPBOOK_FORK",
    [HB_ENV_TIMEOUT] = "HEAPBOOK_TIMEOUT",
    [HB_ENV_SEED] = "HEAPBOOK_SEED",
    [HB_ENV_SOLUTION_TIMES] = "HEAPBOOK_SOLUTION_TIMES",
};

/* The module's state, fixed storage: filled before main(). */
static struct {
    char value[HB_ENV_COUNT][VALUE_MAX];
    bool set[HB_ENV_COUNT];
    bool too_long[HB_ENV_COUNT];
    bool isolated;
    bool has_seed;
    unsigned long long seed;
} environment = {.isolated = true};

/* The value of `variable` ("NAME=value") if it is named `name`, else NULL. */
static const char *value_of(const char *variable, const char *name) {
    size_t length = strlen(name);
    return strncmp(variable, name, length) == 0 && variable[length] == '=' ? variable + length + 1
                                                                           : NULL;
}

/* The first of each name counts, as getenv() finds it.  An empty value is
 * no value: `HEAPBOOK_SOLUTION_TIMES= make test` is how a script unsets
 * it. */
static void read_environment(int argc, char **argv, char **variables) {
    (void)argc;
    (void)argv;
    for (char **variable = variables; *variable != NULL; variable++) {
        for (int i = 0; i < HB_ENV_COUNT; i++) {
            const char *value = value_of(*variable, names[i]);
            if (value == NULL || environment.set[i] || value[0] == '\0')
                continue;
            environment.set[i] = true;
            environment.too_long[i] = strlen(value) >= VALUE_MAX;
            if (!environment.too_long[i])
                memcpy(environment.value[i], value, strlen(value) + 1);
        }
    }
    hb_time_limits_configure(hb_environment_value(HB_ENV_TIMEOUT),
                             hb_environment_value(HB_ENV_SOLUTION_TIMES));
}

__attribute__((section(".preinit_array"),
               used)) static void (*const read_environment_first)(int, char **,
                                                                  char **) = read_environment;

const char *hb_environment_value(hb_env_variable variable) {
    if (!environment.set[variable])
        return NULL;
    return environment.too_long[variable] ? "(a value too long to keep)"
                                          : environment.value[variable];
}

void hb_environment_error(hb_env_variable variable, const char *value, const char *problem,
                          const char *accepted) {
    fprintf(stderr,
            "heapbook: %s=\"%s\" %s: %s (docs/harness.md, Environment variables); no test ran\n",
            names[variable], value, problem, accepted);
}

bool hb_environment_whole_number(const char *text, unsigned long long max,
                                 unsigned long long *number) {
    unsigned long long value = 0;
    if (text == NULL || text[0] == '\0')
        return false;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9' || __builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, (unsigned long long)(*c - '0'), &value))
            return false;
    }
    if (value > max)
        return false;
    *number = value;
    return true;
}

static bool check_fork(void) {
    const char *fork = hb_environment_value(HB_ENV_FORK);
    if (fork == NULL || strcmp(fork, "1") == 0)
        return true;
    if (strcmp(fork, "0") == 0) {
        environment.isolated = false;
        return true;
    }
    hb_environment_error(HB_ENV_FORK, fork, "is neither 0 nor 1",
                         "write 1 (each test in a process of its own, the default) or 0 (every "
                         "test in this process, for a debugger)");
    return false;
}

static bool check_seed(void) {
    const char *seed = hb_environment_value(HB_ENV_SEED);
    if (seed == NULL)
        return true;
    environment.has_seed = hb_environment_whole_number(seed, ULLONG_MAX, &environment.seed);
    if (!environment.has_seed)
        hb_environment_error(HB_ENV_SEED, seed, "is not a seed",
                             "write a whole number from 0 to 18446744073709551615 in decimal "
                             "digits (a failure prints the one that repeats it), or unset it for "
                             "a seed from the clock");
    return environment.has_seed;
}

bool hb_environment_check(void) {
    bool ok = check_fork();
    ok &= check_seed();
    ok &= hb_time_limits_load();
    return ok;
}

bool hb_runner_isolated(void) { return environment.isolated; }

bool hb_environment_seed(unsigned long long *seed) {
    *seed = environment.seed;
    return environment.has_seed;
}
