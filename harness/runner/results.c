/* results.c: each test's outcome, the baseline of regression mode, the
 * results files, and which output the run prints (runner.h: Results). */
#include "runner.h"

#include <CUnit/TestRun.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_TESTS = 1024, MAX_NAME = 128 };

/* A --gtest_ flag was given: the output is Google Test's (gtest.c). */
static bool gtest_output;

void hb_gtest_request(void) { gtest_output = true; }

bool hb_gtest_requested(void) { return gtest_output; }

/* One row per test, of this run or of the baseline file: a test of the
 * baseline that this binary no longer runs keeps its entry. */
typedef struct row {
    char test[MAX_NAME];
    bool has_result;
    hb_result result;
    bool has_baseline;
    size_t baseline_peak, baseline_leaked;
    unsigned long long baseline_allocations;
} row;

/* The module's state. */
static struct {
    row rows[MAX_TESTS];
    size_t count;
} table;

static row *row_of(const char *test, bool add) {
    for (size_t i = 0; i < table.count; i++)
        if (strcmp(table.rows[i].test, test) == 0)
            return &table.rows[i];
    if (!add || table.count == MAX_TESTS)
        return NULL;
    row *r = &table.rows[table.count++];
    snprintf(r->test, sizeof r->test, "%s", test);
    return r;
}

const hb_result *hb_results_find(const char *test) {
    const row *r = row_of(test, false);
    return r != NULL && r->has_result ? &r->result : NULL;
}

void hb_results_record(const hb_result *result) {
    row *r = row_of(result->test, true);
    if (r == NULL)
        return;
    r->result = *result;
    r->result.test = r->test;
    r->has_result = true;
}

bool hb_starter_figure(const char *suite_file, const char *test, const char *figure,
                       size_t *value) {
    char path[512];
    size_t stem = strlen(suite_file);
    if (stem > 2 && strcmp(suite_file + stem - 2, ".c") == 0)
        stem -= 2;
    snprintf(path, sizeof path, "%.*s.figures", (int)stem, suite_file);
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return false;
    /* "starter test_fibonacci_memory peak 524288"; '#' starts a comment */
    char line[512], variant[32], name[MAX_NAME], which[32];
    unsigned long long number;
    bool found = false;
    while (!found && fgets(line, sizeof line, in) != NULL)
        found = sscanf(line, "%31s %127s %31s %llu", variant, name, which, &number) == 4 &&
                strcmp(variant, "starter") == 0 && strcmp(name, test) == 0 &&
                strcmp(which, figure) == 0;
    fclose(in);
    if (found)
        *value = (size_t)number;
    return found;
}

const char *hb_failure_names(unsigned failures, char text[HB_FAILURE_NAMES]) {
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {HB_FAILED_PEAK, "peak"},
        {HB_FAILED_LEAKS, "leaks"},
        {HB_FAILED_ALLOCATIONS, "allocations"},
        {HB_FAILED_BAD_LIMIT, "limit"},
        {HB_FAILED_CRASH, "crash"},
        {HB_FAILED_TIMEOUT, "timeout"},
        {HB_FAILED_EXIT, "exit"},
        {HB_FAILED_INCREASE, "increase"},
        {HB_FAILED_OVERFLOW, "overflow"},
        {HB_FAILED_USE_AFTER_FREE, "use-after-free"},
        {HB_FAILED_HIDDEN_MEMORY, "hidden-memory"},
        {HB_FAILED_STACK, "stack"},
    };
    text[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (failures & names[i].bit) {
            if (text[0] != '\0')
                strcat(text, ",");
            strcat(text, names[i].name);
        }
    return text;
}

/* ---- regression mode */

bool hb_baseline_load(const char *path) {
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return errno == ENOENT;
    char test[MAX_NAME];
    size_t peak, leaked;
    unsigned long long allocations;
    int fields;
    unsigned line = 0;
    row *r;
    while ((fields = fscanf(in, "%127s\t%zu\t%zu\t%llu\n", test, &peak, &leaked, &allocations)) ==
               4 &&
           (r = row_of(test, true)) != NULL) {
        r->has_baseline = true;
        r->baseline_peak = peak;
        r->baseline_leaked = leaked;
        r->baseline_allocations = allocations;
        line++;
    }
    bool ok = fields == EOF;
    if (!ok)
        fprintf(stderr, "heapbook: %s:%u: not \"test<TAB>peak<TAB>leaked<TAB>allocations\"\n", path,
                line + 1);
    fclose(in);
    return ok;
}

/* Appends one line if `now` exceeds `before`. */
static bool compare_bytes(hb_text *report, const char *what, size_t before, size_t now) {
    if (now <= before)
        return false;
    char a[HB_SIZE_TEXT], b[HB_SIZE_TEXT], d[HB_SIZE_TEXT];
    hb_text_printf(report, "\n      %s: %s -> %s (+%s)", what, hb_size_format(before, a),
                   hb_size_format(now, b), hb_size_format(now - before, d));
    return true;
}

bool hb_baseline_exceeded(const hb_result *result, hb_text *report) {
    const row *e = row_of(result->test, false);
    if (e == NULL || !e->has_baseline || !result->measured)
        return false;
    hb_text lines = {0};
    bool worse = compare_bytes(&lines, "peak", e->baseline_peak, result->usage.peak_bytes);
    worse |= compare_bytes(&lines, "leaked", e->baseline_leaked, result->usage.live_bytes);
    if (result->usage.allocations > e->baseline_allocations) {
        hb_text_printf(&lines, "\n      allocations: %llu -> %llu (+%llu)", e->baseline_allocations,
                       (unsigned long long)result->usage.allocations,
                       (unsigned long long)result->usage.allocations - e->baseline_allocations);
        worse = true;
    }
    if (worse)
        hb_text_printf(report, "%s: uses more memory than its last passing run%s", result->test,
                       hb_text_get(&lines));
    hb_text_free(&lines);
    return worse;
}

void hb_baseline_update(const hb_result *result) {
    if (!result->measured)
        return;
    row *e = row_of(result->test, true);
    if (e == NULL)
        return;
    e->has_baseline = true;
    e->baseline_peak = result->usage.peak_bytes;
    e->baseline_leaked = result->usage.live_bytes;
    e->baseline_allocations = (unsigned long long)result->usage.allocations;
}

bool hb_baseline_save(const char *path) {
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        perror(path);
        return false;
    }
    for (size_t i = 0; i < table.count; i++) {
        const row *e = &table.rows[i];
        if (e->has_baseline)
            fprintf(out, "%s\t%zu\t%zu\t%llu\n", e->test, e->baseline_peak, e->baseline_leaked,
                    e->baseline_allocations);
    }
    return fclose(out) == 0;
}

/* ---- the results files */

/* One test's outcome, gathered from CUnit's failure list and hb_results. */
typedef struct outcome {
    const char *suite;
    const char *test;
    const hb_result *result; /* NULL if the harness recorded nothing */
    unsigned failures;       /* CUnit failure records */
    char reasons[HB_FAILURE_NAMES + 8];
} outcome;

static outcome outcome_of(CU_pSuite suite, CU_pTest test) {
    outcome o = {.suite = suite->pName, .test = test->pName};
    o.result = hb_results_find(test->pName);
    for (CU_pFailureRecord f = CU_get_failure_list(); f != NULL; f = f->pNext)
        if (f->pTest == test)
            o.failures++;
    hb_failure_names(o.result ? o.result->failures : 0, o.reasons);
    if (o.failures > (o.result ? o.result->reports : 0))
        strcat(o.reasons, o.reasons[0] ? ",assert" : "assert");
    return o;
}

typedef void (*write_fn)(FILE *out, const outcome *o, CU_pTest test, bool first);

/* Writes `head`, every test through `write`, then `tail`. */
static bool export_all(const char *path, const char *head, write_fn write, const char *tail) {
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        perror(path);
        return false;
    }
    fputs(head, out);
    bool first = true;
    for (CU_pSuite s = CU_get_registry()->pSuite; s != NULL; s = s->pNext)
        for (CU_pTest t = s->pTest; t != NULL; t = t->pNext) {
            outcome o = outcome_of(s, t);
            write(out, &o, t, first);
            first = false;
        }
    fputs(tail, out);
    return fclose(out) == 0;
}

/* ---- tab-separated ---- */

/* A name as one field: a tab or a line break in it would split the row,
 * so they are written as \t, \n and \r, and a backslash as \\. */
static void tsv_field(FILE *out, const char *text) {
    for (; *text; text++) {
        const char *escaped = *text == '\t'   ? "\\t"
                              : *text == '\n' ? "\\n"
                              : *text == '\r' ? "\\r"
                              : *text == '\\' ? "\\\\"
                                              : NULL;
        if (escaped != NULL)
            fputs(escaped, out);
        else
            fputc(*text, out);
    }
    fputc('\t', out);
}

static void write_tsv(FILE *out, const outcome *o, CU_pTest test, bool first) {
    (void)test;
    (void)first;
    tsv_field(out, o->suite);
    tsv_field(out, o->test);
    fprintf(out, "%s\t%s\t", o->failures ? "failed" : "passed", o->reasons[0] ? o->reasons : "-");
    const hb_result *r = o->result;
    if (r != NULL && r->measured)
        fprintf(out, "%zu\t%zu\t%llu\t", r->usage.peak_bytes, r->usage.live_bytes,
                (unsigned long long)r->usage.allocations);
    else
        fprintf(out, "-\t-\t-\t");
    if (r != NULL && r->measured && r->memory_test)
        fprintf(out, "%zu\n", r->stack_bytes);
    else
        fprintf(out, "-\n");
}

bool hb_export_tsv(const char *path) { return export_all(path, "", write_tsv, ""); }

/* ---- JUnit XML ---- */

static void write_failures(FILE *out, CU_pTest test, void (*text)(FILE *, const char *),
                           const char *separator) {
    bool first = true;
    for (CU_pFailureRecord f = CU_get_failure_list(); f != NULL; f = f->pNext) {
        if (f->pTest != test)
            continue;
        if (!first)
            text(out, separator); /* escaped as the failures are: JSON has no raw newline */
        first = false;
        char where[512];
        snprintf(where, sizeof where, "%s:%u: ", f->strFileName ? f->strFileName : "",
                 f->uiLineNumber);
        text(out, where);
        /* The colour a terminal showed is no part of the record. */
        const char *condition = f->strCondition ? f->strCondition : "";
        char *plain = malloc(strlen(condition) + 1);
        if (plain != NULL)
            hb_report_strip_colour(condition, plain);
        text(out, plain != NULL ? plain : condition);
        free(plain);
    }
}

static void write_junit(FILE *out, const outcome *o, CU_pTest test) {
    fputs("    <testcase classname=\"", out);
    hb_xml_text(out, o->suite);
    fputs("\" name=\"", out);
    hb_xml_text(out, o->test);
    fputs("\">\n", out);
    if (o->failures > 0) {
        fputs("      <failure type=\"", out);
        hb_xml_text(out, o->reasons);
        fputs("\">", out);
        write_failures(out, test, hb_xml_text, "\n");
        fputs("</failure>\n", out);
    }
    fputs("    </testcase>\n", out);
}

/* The tests of `suite` that failed. */
static unsigned suite_failures(CU_pSuite suite) {
    unsigned failed = 0;
    for (CU_pTest t = suite->pTest; t != NULL; t = t->pNext)
        failed += outcome_of(suite, t).failures > 0;
    return failed;
}

/* A <testsuite> per CUnit suite, named as the suite is: an exercise's suite
 * is named after it (HB_SUITE_NAME, "01-fibonacci"), so a CI page that
 * gathers several files shows each exercise under its own name. */
bool hb_export_junit(const char *path) {
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        perror(path);
        return false;
    }
    CU_pRunSummary summary = CU_get_run_summary();
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites tests=\"%u\" failures=\"%u\">\n",
            summary->nTestsRun, summary->nTestsFailed);
    for (CU_pSuite s = CU_get_registry()->pSuite; s != NULL; s = s->pNext) {
        fputs("  <testsuite name=\"", out);
        hb_xml_text(out, s->pName);
        fprintf(out, "\" tests=\"%u\" failures=\"%u\">\n", s->uiNumberOfTests, suite_failures(s));
        for (CU_pTest t = s->pTest; t != NULL; t = t->pNext) {
            outcome o = outcome_of(s, t);
            write_junit(out, &o, t);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
    return fclose(out) == 0;
}

/* ---- JSON ---- */

static void json_figure(FILE *out, const char *name, unsigned long long measured, bool has_limit,
                        size_t limit) {
    fprintf(out, ", \"%s\": %llu", name, measured);
    if (has_limit)
        fprintf(out, ", \"%s_limit\": %zu", name, limit);
}

/* Exercism's statuses: "fail" when the code gave a wrong answer or broke a
 * limit, "error" when the test could not finish (a crash, a timeout, an
 * exit(), a memory error that stopped it). */
static const char *exercism_status(const outcome *o) {
    unsigned ended = HB_FAILED_CRASH | HB_FAILED_TIMEOUT | HB_FAILED_EXIT | HB_FAILED_OVERFLOW |
                     HB_FAILED_USE_AFTER_FREE | HB_FAILED_HIDDEN_MEMORY;
    if (o->failures == 0)
        return "pass";
    return o->result != NULL && (o->result->failures & ended) ? "error" : "fail";
}

static void write_json(FILE *out, const outcome *o, CU_pTest test, bool first) {
    fprintf(out, "%s\n    {\"name\": \"", first ? "" : ",");
    hb_json_escape(out, o->test);
    fprintf(out, "\", \"status\": \"%s\"", exercism_status(o));
    if (o->failures > 0) {
        fputs(", \"message\": \"", out);
        write_failures(out, test, hb_json_escape, "\n");
        fputs("\"", out);
    }
    const hb_result *r = o->result;
    if (r != NULL && r->measured) {
        fputs(", \"memory\": {\"measured\": true", out);
        json_figure(out, "peak_bytes", r->usage.peak_bytes, r->limits.has_peak, r->limits.peak);
        json_figure(out, "leaked_bytes", r->usage.live_bytes, r->limits.has_leaks, r->limits.leaks);
        json_figure(out, "allocations", r->usage.allocations, r->limits.has_allocations,
                    r->limits.allocations);
        if (r->memory_test)
            json_figure(out, "stack_bytes", r->stack_bytes, r->limits.has_stack, r->limits.stack);
        if (r->usage.mapped_peak_bytes > 0)
            json_figure(out, "mapped_peak_bytes", r->usage.mapped_peak_bytes, false, 0);
        fputs("}", out);
    }
    fputs("}", out);
}

/* Exercism's test-runner interface, version 3: "error" at the top only when
 * no test ran; no task_id, since one binary is one exercise. */
bool hb_export_json(const char *path) {
    CU_pRunSummary summary = CU_get_run_summary();
    const char *status = summary->nTestsRun == 0     ? "error"
                         : summary->nTestsFailed > 0 ? "fail"
                                                     : "pass";
    char head[160];
    snprintf(head, sizeof head,
             "{\"version\": 3, \"status\": \"%s\", \"message\": %s, \"tests\": [", status,
             summary->nTestsRun == 0 ? "\"no test ran: the binary registered none\"" : "null");
    return export_all(path, head, write_json, "\n]}\n");
}
