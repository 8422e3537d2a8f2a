/* assert.c: assertions that say what came back, random inputs, and the
 * context every failure carries (heapbook.h; runner.h: Context). */
#include "runner.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The module's state. */
static struct {
    char fault_note[160]; /* "while allocation 2 of 5 in f was made to fail" */
    uint64_t seed;        /* of this run's random inputs */
    bool drawn;           /* the running test drew a random input */
    CU_pTest drawing;     /* whose sequence `state` is */
    uint64_t state;
    hb_draw draws[HB_CONTEXT_DRAWS]; /* the running test's first draws, to show */
    size_t draw_count;
} context;

void hb_context_set_fault(const char *note) {
    snprintf(context.fault_note, sizeof context.fault_note, "%s", note ? note : "");
}

/* Appends the context to `message` (of `size` bytes). */
static void append_context(char *message, size_t size) {
    size_t used = strlen(message);
    if (context.fault_note[0] != '\0' && used < size)
        used += (size_t)snprintf(message + used, size - used, "\n      (%s)", context.fault_note);
    if (!context.drawn || context.drawing != CU_get_current_test() || used >= size)
        return;
    used += (size_t)snprintf(message + used, size - used, "\n      (random inputs:");
    for (size_t i = 0; i < context.draw_count && used < size; i++)
        used += (size_t)snprintf(message + used, size - used, "%s %s%s%llu", i ? "," : "",
                                 context.draws[i].name, context.draws[i].name[0] ? " = " : "",
                                 (unsigned long long)context.draws[i].value);
    if (used < size)
        snprintf(message + used, size - used,
                 "%s: HEAPBOOK_SEED=%" PRIu64 " in the environment repeats them)",
                 context.draw_count == HB_CONTEXT_DRAWS ? ", ..." : "", context.seed);
}

void hb_context_append(hb_text *report) {
    char message[512] = "";
    append_context(message, sizeof message);
    hb_text_printf(report, "%s", message);
}

size_t hb_context_draws(hb_draw draws[HB_CONTEXT_DRAWS]) {
    if (!context.drawn || context.drawing != CU_get_current_test())
        return 0;
    memcpy(draws, context.draws, context.draw_count * sizeof *draws);
    return context.draw_count;
}

void hb_context_adopt_draws(const hb_draw *draws, size_t count) {
    context.drawn = count > 0;
    context.drawing = CU_get_current_test();
    context.draw_count = count < HB_CONTEXT_DRAWS ? count : HB_CONTEXT_DRAWS;
    memcpy(context.draws, draws, context.draw_count * sizeof *draws);
}

enum { MESSAGE = 2048 };

/* Fails the current test with the message and the context.  CUnit copies
 * the text; the fatal form does not return, so nothing here is on the
 * heap. */
static void fail(const char *file, unsigned line, CU_BOOL fatal, char message[MESSAGE]) {
    append_context(message, MESSAGE);
    CU_assertImplementation(CU_FALSE, line, message, file, "", fatal);
}

static void pass(const char *file, unsigned line) {
    CU_assertImplementation(CU_TRUE, line, "", file, "", CU_FALSE);
}

void hb_assert_signed(long long actual, long long expected, const char *text, const char *file,
                      unsigned line, CU_BOOL fatal) {
    if (actual == expected) {
        pass(file, line);
        return;
    }
    char message[MESSAGE];
    snprintf(message, sizeof message, "%s is %lld, expected %lld", text, actual, expected);
    fail(file, line, fatal, message);
}

void hb_assert_unsigned(unsigned long long actual, unsigned long long expected, const char *text,
                        const char *file, unsigned line, CU_BOOL fatal) {
    if (actual == expected) {
        pass(file, line);
        return;
    }
    char message[MESSAGE];
    snprintf(message, sizeof message, "%s is %llu, expected %llu", text, actual, expected);
    fail(file, line, fatal, message);
}

/* `text` as a C string literal, escaped, cut at `size`. */
static void quoted(const char *text, char *out, size_t size) {
    if (text == NULL) {
        snprintf(out, size, "NULL");
        return;
    }
    size_t used = 0;
    out[used++] = '"';
    for (; *text != '\0' && used + 8 < size; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\')
            used += (size_t)snprintf(out + used, size - used, "\\%c", c);
        else if (c == '\n')
            used += (size_t)snprintf(out + used, size - used, "\\n");
        else if (c < 0x20 || c == 0x7f)
            used += (size_t)snprintf(out + used, size - used, "\\x%02x", c);
        else
            out[used++] = (char)c;
    }
    snprintf(out + used, size - used, "%s\"", *text != '\0' ? "..." : "");
}

void hb_assert_str(const char *actual, const char *expected, const char *text, const char *file,
                   unsigned line, CU_BOOL fatal) {
    if (actual == expected ||
        (actual != NULL && expected != NULL && strcmp(actual, expected) == 0)) {
        pass(file, line);
        return;
    }
    char got[MESSAGE / 3], wanted[MESSAGE / 3], message[MESSAGE];
    quoted(actual, got, sizeof got);
    quoted(expected, wanted, sizeof wanted);
    snprintf(message, sizeof message, "%s is %s, expected %s", text, got, wanted);
    fail(file, line, fatal, message);
}

void hb_assert_ptr(const void *actual, const void *expected, const char *text,
                   const char *expected_text, const char *file, unsigned line, CU_BOOL fatal) {
    if (actual == expected) {
        pass(file, line);
        return;
    }
    char message[MESSAGE];
    if (expected == NULL)
        snprintf(message, sizeof message, "%s is %p, expected NULL", text, actual);
    else
        snprintf(message, sizeof message, "%s is %p, expected %s (%p)", text, actual, expected_text,
                 expected);
    fail(file, line, fatal, message);
}

void hb_assert_true(bool condition, const char *text, const char *file, unsigned line,
                    CU_BOOL fatal) {
    if (condition) {
        pass(file, line);
        return;
    }
    char message[MESSAGE];
    snprintf(message, sizeof message, "%s", text);
    fail(file, line, fatal, message);
}

/* ---- random inputs: splitmix64, small and good enough for test inputs */

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t hash_name(const char *name) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *name != '\0'; name++)
        h = (h ^ (unsigned char)*name) * UINT64_C(0x100000001b3);
    return h;
}

void hb_random_choose_seed(void) {
    unsigned long long given;
    if (hb_environment_seed(&given)) {
        context.seed = given;
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t mixed = (uint64_t)now.tv_nsec ^ (uint64_t)now.tv_sec << 20 ^ (uint64_t)getpid();
    context.seed = splitmix64(&mixed) % 1000000000; /* short enough to type */
}

unsigned long long hb_random(unsigned long long low, unsigned long long high) {
    return hb_random_named(NULL, low, high);
}

unsigned long long hb_random_named(const char *what, unsigned long long low,
                                   unsigned long long high) {
    CU_pTest test = CU_get_current_test();
    if (!context.drawn || context.drawing != test) {
        context.drawing = test;
        context.state = context.seed ^ hash_name(test ? test->pName : "");
        context.drawn = true;
        context.draw_count = 0;
    }
    uint64_t span = high - low + 1; /* 0: the whole range */
    uint64_t draw = splitmix64(&context.state);
    unsigned long long value = high <= low ? low : low + (span ? draw % span : draw);
    if (context.draw_count < HB_CONTEXT_DRAWS) {
        hb_draw *kept = &context.draws[context.draw_count++];
        kept->value = value;
        snprintf(kept->name, sizeof kept->name, "%s", what != NULL ? what : "");
    }
    return value;
}
