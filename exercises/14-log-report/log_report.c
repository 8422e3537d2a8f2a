/* Exercise 14: the log report, the whole program's pipeline.
 *
 * tests/exercises/test_14_log_report.c runs it on the access log that comes
 * with the exercise, and its memory test fails: the program holds more than
 * a report of a log needs.  `make flamegraph EX=14` and `heapbook tree`
 * show which part of the program holds it, and when.  The lesson:
 * docs/14-log-report.md.
 *
 * It opens the log and counts it a request at a time: each request is
 * parsed, counted, then freed (the tally copies the keys it keeps).  Then
 * it writes the report of the count. */
#include "log_report.h"

#include "log_reader.h"
#include "request.h"
#include "tally.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Reads and counts the log, a request at a time; the lines that are not
 * requests are counted as skipped.  0 or an errno value. */
static int count_log(log_reader *reader, tally *t) {
    const char *line;
    size_t length;
    int got;
    while ((got = log_reader_next(reader, &line, &length)) > 0) {
        request r;
        switch (request_parse(line, length, &r)) {
        case REQUEST_MALFORMED:
            t->skipped++;
            break;
        case REQUEST_NO_MEMORY:
            return ENOMEM;
        case REQUEST_PARSED: {
            bool counted = tally_add(t, &r);
            request_free(&r);
            if (!counted)
                return ENOMEM;
            break;
        }
        }
    }
    return got < 0 ? errno : 0;
}

int log_report(const char *path, const report_sink *sink) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    log_reader reader;
    log_reader_init(&reader, fd);
    tally t;
    tally_init(&t);

    int error = count_log(&reader, &t);
    if (error == 0)
        error = report_write(&t, path, sink);

    tally_free(&t);
    log_reader_free(&reader);
    close(fd);
    return error;
}
