/* hb_guard: keeps the harness's own work out of the counts.
 *
 * While a thread is inside the harness (unwinding a stack, symbolizing,
 * formatting a report) every allocation it makes is forwarded to mimalloc
 * uncounted.  The flag is thread-local so other threads keep being measured.
 *
 * initial-exec TLS: the general-dynamic model may call malloc on first access
 * from a shared object (through __tls_get_addr), which would recurse. */
#ifndef HB_GUARD_H
#define HB_GUARD_H

#include <stdbool.h>

extern __thread int hb_guard_depth __attribute__((tls_model("initial-exec")));

static inline bool hb_guard_active(void) { return hb_guard_depth > 0; }
static inline void hb_guard_enter(void) { hb_guard_depth++; }
static inline void hb_guard_leave(void) { hb_guard_depth--; }

#endif
