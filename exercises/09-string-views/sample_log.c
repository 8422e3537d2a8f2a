/* Exercise 09: the sample log.  Scaffolding, not part of the exercise. */
#include "sample_log.h"

#include <stdint.h>
#include <string.h>

static const char *const components[] = {"http", "db", "cache", "auth", "scheduler"};
enum { COMPONENT_COUNT = sizeof components / sizeof components[0] };

static const char *const messages[] = {
    "request served in 12 ms",
    "connection pool exhausted, waiting for a free connection",
    "cache miss for key user:profile, loading it from the database",
    "token expired, asking the client to log in again",
    "job finished, next run scheduled in 300 seconds",
    "slow query: SELECT * FROM orders WHERE status = 'open'",
    "retrying after a timeout talking to the upstream service",
    "configuration reloaded from /etc/service/config.toml",
};
enum { MESSAGE_COUNT = sizeof messages / sizeof messages[0] };

/* The longest line: "ERROR " + 6 digits + " scheduler: " + the longest
 * message (61 bytes) + '\n' is 86 bytes; 96 leaves room. */
enum { MAX_LINE = 96, SEQUENCE_DIGITS = 6, SEED = 20240909 };

static char text[SAMPLE_LOG_LINES * MAX_LINE];
static size_t text_length;

/* A 64-bit linear congruential generator (Knuth's MMIX constants); the high
 * bits are the well-mixed ones. */
static unsigned next_random(uint64_t *state) {
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(*state >> 33);
}

static char *append(char *out, const char *text) {
    size_t length = strlen(text);
    memcpy(out, text, length);
    return out + length;
}

/* Writes `number` with SEQUENCE_DIGITS digits, zeros in front. */
static char *append_sequence(char *out, unsigned number) {
    for (int i = SEQUENCE_DIGITS - 1; i >= 0; i--, number /= 10)
        out[i] = (char)('0' + number % 10);
    return out + SEQUENCE_DIGITS;
}

static const char *level_of_line(unsigned line) {
    switch (line % 10) {
    case 3:
        return "ERROR";
    case 1:
    case 6:
        return "WARN";
    default:
        return "INFO";
    }
}

static void build(void) {
    uint64_t state = SEED;
    char *out = text;
    for (unsigned line = 0; line < SAMPLE_LOG_LINES; line++) {
        out = append(out, level_of_line(line));
        out = append(out, " ");
        out = append_sequence(out, line);
        out = append(out, " ");
        out = append(out, components[next_random(&state) % COMPONENT_COUNT]);
        out = append(out, ": ");
        out = append(out, messages[next_random(&state) % MESSAGE_COUNT]);
        out = append(out, "\n");
    }
    text_length = (size_t)(out - text);
}

const char *sample_log(size_t *length) {
    if (text_length == 0)
        build();
    *length = text_length;
    return text;
}
