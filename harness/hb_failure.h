/* hb_failure: why a test failed, beyond its assertions. */
#ifndef HB_FAILURE_H
#define HB_FAILURE_H

/* Bits; a test that fails only on assertions has none. */
enum hb_failure {
    HB_FAILED_PEAK = 1 << 0,
    HB_FAILED_LEAKS = 1 << 1,
    HB_FAILED_ALLOCATIONS = 1 << 2,
    HB_FAILED_BAD_LIMIT = 1 << 3, /* a limit string could not be parsed */
    HB_FAILED_CRASH = 1 << 4,     /* killed by a signal, or a bad free */
    HB_FAILED_TIMEOUT = 1 << 5,   /* ran past its time limit */
    HB_FAILED_EXIT = 1 << 6,      /* the code under test called exit() */
    HB_FAILED_INCREASE = 1 << 7,  /* uses more memory than its baseline */
};

enum { HB_FAILURE_NAMES = 96 };

/* "peak", "leaks", "allocations", "limit", "crash", "timeout", "exit",
 * "increase" joined by commas, for results files; "" for 0. */
const char *hb_failure_names(unsigned failures, char text[HB_FAILURE_NAMES]);

#endif
