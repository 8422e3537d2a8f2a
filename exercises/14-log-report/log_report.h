/* Exercise 14: the log report, the whole program's pipeline.  The contract
 * the tests check; do not change it. */
#ifndef LOG_REPORT_H
#define LOG_REPORT_H

#include "report.h"

/* The access log that comes with the exercise: a day of a small web shop,
 * 721 lines, 171,815 bytes.  The path is from the top of the repository,
 * where make runs the tests and the program. */
#define SAMPLE_ACCESS_LOG "exercises/14-log-report/access.log"

/* Reads the access log at `path`, counts it and writes the report to
 * `sink` (report.h shows what it holds).  Lines that are not requests are
 * counted and skipped.  Returns 0, or an errno value: the log could not be
 * opened or read (ENOENT, EISDIR, ...), memory ran out (ENOMEM), the sink
 * failed (EIO). */
int log_report(const char *path, const report_sink *sink);

#endif
