/* hb_export: a finished run's results, for machines.
 *
 *   tab-separated (--results): one line per test, read by tools/check.sh:
 *       suite  test  passed|failed  reasons  peak  leaked  allocations
 *     reasons are hb_failure names plus "assert" ("-" if none); figures are
 *     bytes and counts, "-" where the test measured nothing.
 *   JUnit XML (--junit): what CI systems and GitHub Classroom read.
 *   JSON (--json): the shape of Exercism's test-runner results (version 2):
 *       {"version": 2, "status": "pass"|"fail", "tests": [{"name", "status",
 *        "message", "memory": {"peak_bytes", "peak_limit", ...}}]}
 *     with the figures and limits of each test beside its status.
 *
 * Call after CU_basic_run_tests(), before the registry is cleaned up. */
#ifndef HB_EXPORT_H
#define HB_EXPORT_H

#include <stdbool.h>

bool hb_export_tsv(const char *path);
bool hb_export_junit(const char *path);
bool hb_export_json(const char *path);

#endif
