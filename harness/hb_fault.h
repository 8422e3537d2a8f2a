/* hb_fault: fault injection, to test the paths where memory runs out.
 *
 * Armed, the harness makes chosen allocations fail as if memory were
 * exhausted: malloc, calloc, realloc and the aligned allocators return NULL
 * with errno ENOMEM (posix_memalign returns ENOMEM).  Counting starts when it
 * is armed; the harness's own allocations and CUnit's never fail.  C++'s
 * operator new is not failed: in C there is no exception to throw.
 *
 *     hb_fault_fail_nth(3);       the 3rd allocation from now fails, only it
 *     hb_fault_fail_from(3);      the 3rd and every later one fail
 *     hb_fault_fail_in("parse");  allocations made directly by parse() fail
 *     hb_fault_off();
 *
 * hb_fail_each_allocation() in heapbook.h loops a test over every
 * allocation point, as SQLite's out-of-memory tests do. */
#ifndef HB_FAULT_H
#define HB_FAULT_H

#include <stdbool.h>
#include <stdint.h>

void hb_fault_fail_nth(unsigned long n);
void hb_fault_fail_from(unsigned long n);
void hb_fault_fail_in(const char *function);
void hb_fault_off(void);

/* Allocations seen, and made to fail, since the last arming. */
unsigned long hb_fault_allocations(void);
unsigned long hb_fault_failures(void);

/* The call stack (hb_stacks id) of the last allocation made to fail. */
uint32_t hb_fault_last_failed_stack(void);

/* For hb_override.c: should the allocation whose caller is `caller` fail? */
bool hb_fault_should_fail(uintptr_t caller);

#endif
