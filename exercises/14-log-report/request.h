/* Exercise 14: one request of the access log, parsed.  The contract the
 * tests check; do not change it. */
#ifndef REQUEST_H
#define REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* A line of nginx's "combined" log format with the time the request took
 * ($request_time) after it:
 *
 *   203.0.113.7 - alice [12/Mar/2025:20:14:02 +0000] "GET /search?q=boots HTTP/1.1"
 *       200 11110 "https://www.google.com/" "Mozilla/5.0 (...)" 0.250
 *
 * (on one line).  Each string is a copy of its own (made with text_copy),
 * NUL-terminated. */
typedef struct request {
    char *client;   /* "203.0.113.7" */
    char *time;     /* "12/Mar/2025:20:14:02 +0000" */
    char *method;   /* "GET" */
    char *page;     /* the path without its query: "/search" */
    char *referrer; /* "https://www.google.com/", or "-" */
    char *agent;    /* the browser's "User-Agent", or "-" */
    int status;     /* 200 */
    unsigned long bytes;
    unsigned long ms; /* the time taken, in milliseconds: 250 */
} request;

typedef enum request_outcome {
    REQUEST_PARSED,
    REQUEST_MALFORMED, /* not such a line (cut short, or a request line of junk) */
    REQUEST_NO_MEMORY,
} request_outcome;

/* Parses the `length` bytes at `line` (without its '\n') into *r.  Only
 * when it returns REQUEST_PARSED does *r hold anything to free. */
request_outcome request_parse(const char *line, size_t length, request *r);

/* Frees the strings of *r (not r itself: it is the caller's). */
void request_free(request *r);

/* The hour of the day the request was made, 0 to 23. */
int request_hour(const request *r);

#endif
