/* hb_report: the sites of a scope as text, one line per call stack:
 *
 *     512.0 KiB in 1 block: fibonacci (exercises/01-fibonacci/fibonacci.c:18)
 *       <- fibonacci_hash (exercises/01-fibonacci/fibonacci.c:31) <- ...
 *
 * A stack is shown from the allocating function outwards and stops where
 * the test framework begins: before the harness's own frames (functions
 * named hb_*) or an excluded library's (CUnit), or after main. */
#ifndef HB_REPORT_H
#define HB_REPORT_H

#include "hb_scope.h"
#include "hb_text.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { HB_REPORT_TOP_SITES = 5 };

/* Appends the biggest sites of `view` (at most HB_REPORT_TOP_SITES), one
 * line each, indented to sit under CUnit's "  1. file:line  - " prefix. */
void hb_report_sites(hb_text *text, const hb_scope *scope, enum hb_site_view view);

/* Appends stack `stack_id` as "f (file:line) <- g (file:line) <- ...". */
void hb_report_stack(hb_text *text, uint32_t stack_id);

/* The same for raw frames, innermost first.  Every frame is a return address
 * unless `first_is_exact` (the faulting instruction of a crash). */
void hb_report_frames(hb_text *text, const uintptr_t *frames, size_t depth, bool first_is_exact);

#endif
