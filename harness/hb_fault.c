#include "hb_fault.h"

#include "hb_guard.h"
#include "hb_stacks.h"
#include "hb_symbolize.h"
#include "hb_track.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

enum mode { OFF, NTH, FROM, IN_FUNCTION };

static _Atomic int mode = OFF;
static unsigned long target;
static char function_name[HB_FUNCTION_NAME];
static _Atomic unsigned long seen, failed;
static _Atomic uint32_t last_failed_stack;

static void arm(enum mode new_mode, unsigned long n) {
    atomic_store(&mode, OFF);
    target = n;
    atomic_store(&seen, 0);
    atomic_store(&failed, 0);
    atomic_store(&last_failed_stack, 0);
    atomic_store(&mode, new_mode);
}

void hb_fault_fail_nth(unsigned long n) { arm(NTH, n); }
void hb_fault_fail_from(unsigned long n) { arm(FROM, n); }

void hb_fault_fail_in(const char *function) {
    atomic_store(&mode, OFF);
    snprintf(function_name, sizeof function_name, "%s", function);
    arm(IN_FUNCTION, 0);
}

void hb_fault_off(void) { atomic_store(&mode, OFF); }
unsigned long hb_fault_allocations(void) { return atomic_load(&seen); }
unsigned long hb_fault_failures(void) { return atomic_load(&failed); }
uint32_t hb_fault_last_failed_stack(void) { return atomic_load(&last_failed_stack); }

static bool made_by_function(uintptr_t caller) {
    hb_location location;
    hb_symbolize(caller, true, &location);
    return strcmp(location.function, function_name) == 0;
}

bool hb_fault_should_fail(uintptr_t caller) {
    int armed = atomic_load(&mode);
    if (armed == OFF || hb_guard_active() || hb_track_in_excluded_library(caller))
        return false;
    unsigned long n = atomic_fetch_add(&seen, 1) + 1;
    hb_guard_enter();
    bool fail = (armed == NTH && n == target) || (armed == FROM && n >= target) ||
                (armed == IN_FUNCTION && made_by_function(caller));
    if (fail) {
        atomic_fetch_add(&failed, 1);
        atomic_store(&last_failed_stack, hb_stacks_capture(caller));
    }
    hb_guard_leave();
    return fail;
}
