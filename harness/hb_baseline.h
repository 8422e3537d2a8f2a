/* hb_baseline: regression mode, like pytest-memray's --fail-on-increase.
 *
 * A baseline file records, for each test of the last run that passed, its
 * peak, leaked bytes and allocation count:
 *
 *     test <TAB> peak <TAB> leaked <TAB> allocations
 *
 * With --fail-on-increase a test that now uses more of any of them fails and
 * says by how much.  The file is rewritten after every run with the figures
 * of the tests that passed; entries of other tests are kept. */
#ifndef HB_BASELINE_H
#define HB_BASELINE_H

#include "hb_results.h"
#include "hb_text.h"

#include <stdbool.h>

/* Reads `path`; a missing file is an empty baseline.  False (with a message
 * on stderr) if it exists but cannot be read or parsed. */
bool hb_baseline_load(const char *path);

/* Appends a report and returns true if `result` uses more than its
 * baseline entry. */
bool hb_baseline_exceeded(const hb_result *result, hb_text *report);

/* Records `result` as the new baseline of its test. */
void hb_baseline_update(const hb_result *result);

bool hb_baseline_save(const char *path);

#endif
