/* Exercise 14: the log report, the whole program's pipeline.
 *
 * tests/exercises/test_14_log_report.c runs it on the access log that comes
 * with the exercise, and its memory test fails: the program holds far more
 * than a report of a log needs.  The report of `make test EX=14` names the
 * lines that allocate, each in the helper every module calls (text.c);
 * `make flamegraph EX=14` and `heapbook tree` show which part of the
 * program holds the memory, and when.  The lesson: docs/14-log-report.md.
 *
 * It opens the log, reads it, counts what it read and writes the report of
 * the count. */
#include "log_report.h"

#include "log_reader.h"
#include "request.h"
#include "tally.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* The requests of the log, in its order. */
typedef struct request_list {
    request *items;
    size_t count, capacity;
} request_list;

/* The list grows by one request at a time: no room it does not use. */
static bool add_request(request_list *list, const request *r) {
    if (list->count == list->capacity) {
        size_t capacity = list->capacity + 1;
        request *items = realloc(list->items, capacity * sizeof *items);
        if (items == NULL)
            return false;
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = *r;
    return true;
}

static void free_requests(request_list *list) {
    for (size_t i = 0; i < list->count; i++)
        request_free(&list->items[i]);
    free(list->items);
    *list = (request_list){0};
}

/* Every line of the log, parsed into `requests`; the lines that are not
 * requests are counted in *skipped.  0 or an errno value. */
static int read_requests(log_reader *reader, request_list *requests, unsigned long *skipped) {
    const char *line;
    size_t length;
    int got;
    while ((got = log_reader_next(reader, &line, &length)) > 0) {
        request r;
        switch (request_parse(line, length, &r)) {
        case REQUEST_MALFORMED:
            ++*skipped;
            break;
        case REQUEST_NO_MEMORY:
            return ENOMEM;
        case REQUEST_PARSED:
            if (!add_request(requests, &r)) {
                request_free(&r);
                return ENOMEM;
            }
            break;
        }
    }
    return got < 0 ? errno : 0;
}

/* The requests counted into `t`.  0 or ENOMEM. */
static int count_requests(const request_list *requests, tally *t) {
    for (size_t i = 0; i < requests->count; i++)
        if (!tally_add(t, &requests->items[i]))
            return ENOMEM;
    return 0;
}

int log_report(const char *path, const report_sink *sink) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    log_reader reader;
    log_reader_init(&reader, fd);
    request_list requests = {0};
    tally t;
    tally_init(&t);

    int error = read_requests(&reader, &requests, &t.skipped);
    if (error == 0)
        error = count_requests(&requests, &t);
    if (error == 0)
        error = report_write(&t, path, sink);

    free_requests(&requests);
    tally_free(&t);
    log_reader_free(&reader);
    close(fd);
    return error;
}
