/* fault.c: fault injection (heapbook/counting.h; core.h: Fault injection).
 * hb_fault_fail_in() turns a function's name into address ranges in the
 * layer that reads symbols (support/report.c); here only addresses are
 * compared, so an armed check costs a few instructions. */
#include "internal.h"

enum mode { OFF, NTH, FROM, IN_RANGES, EACH };

enum { MAX_RANGES = 16 }; /* functions of one name: one per file that has one */

/* The module's state. */
static struct {
    unsigned long target;
    hb_code_range ranges[MAX_RANGES];
    size_t range_count;
    hb_fault_decider decide;
    _Atomic unsigned long seen, failed;
    _Atomic uint32_t last_failed_stack;
} fault;

static void arm(enum mode mode, unsigned long n) {
    atomic_store(&hb_hot.fault_armed, OFF);
    fault.target = n;
    atomic_store(&fault.seen, 0);
    atomic_store(&fault.failed, 0);
    atomic_store(&fault.last_failed_stack, 0);
    atomic_store(&hb_hot.fault_armed, mode);
    hb_scopes_refresh(); /* no more allocations counted inline */
}

void hb_fault_fail_nth(unsigned long n) { arm(NTH, n); }
void hb_fault_fail_from(unsigned long n) { arm(FROM, n); }

void hb_fault_fail_in_ranges(const hb_code_range *ranges, size_t count) {
    atomic_store(&hb_hot.fault_armed, OFF);
    fault.range_count = count < MAX_RANGES ? count : MAX_RANGES;
    for (size_t i = 0; i < fault.range_count; i++)
        fault.ranges[i] = ranges[i];
    arm(IN_RANGES, 0);
}

void hb_fault_fail_each(hb_fault_decider decide) {
    atomic_store(&hb_hot.fault_armed, OFF);
    fault.decide = decide;
    arm(EACH, 0);
}

void hb_fault_off(void) {
    atomic_store(&hb_hot.fault_armed, OFF);
    hb_scopes_refresh();
}
unsigned long hb_fault_allocations(void) { return atomic_load(&fault.seen); }
unsigned long hb_fault_failures(void) { return atomic_load(&fault.failed); }
uint32_t hb_fault_last_failed_stack(void) { return atomic_load(&fault.last_failed_stack); }

static bool in_ranges(uintptr_t caller) {
    for (size_t i = 0; i < fault.range_count; i++)
        if (caller >= fault.ranges[i].start && caller < fault.ranges[i].end)
            return true;
    return false;
}

bool hb_fault_should_fail(uintptr_t caller) {
    int armed = atomic_load_explicit(&hb_hot.fault_armed, memory_order_relaxed);
    if (armed == OFF || hb_guard_active() || hb_in_excluded_library(caller))
        return false;
    unsigned long n = atomic_fetch_add(&fault.seen, 1) + 1;
    bool fail = (armed == NTH && n == fault.target) || (armed == FROM && n >= fault.target) ||
                (armed == IN_RANGES && in_ranges(caller)) ||
                (armed == EACH && fault.decide(n, caller));
    if (fail) {
        atomic_fetch_add(&fault.failed, 1);
        hb_guard_enter(); /* unwinding may allocate */
        atomic_store(&fault.last_failed_stack, hb_stacks_capture(caller));
        hb_guard_leave();
    }
    return fail;
}
