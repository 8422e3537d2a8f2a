/* Exercise 14, a wrong fix: each request is counted as soon as it is
 * parsed, and the list of requests is gone, but nothing frees a request's
 * strings any more: every one of them leaks. */
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
            if (!tally_add(t, &r))
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
