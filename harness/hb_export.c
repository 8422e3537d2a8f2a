#include "hb_export.h"

#include "hb_json.h"
#include "hb_results.h"

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include <stdio.h>
#include <string.h>

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

static void write_tsv(FILE *out, const outcome *o, CU_pTest test, bool first) {
    (void)test;
    (void)first;
    fprintf(out, "%s\t%s\t%s\t%s\t", o->suite, o->test, o->failures ? "failed" : "passed",
            o->reasons[0] ? o->reasons : "-");
    if (o->result != NULL && o->result->measured)
        fprintf(out, "%zu\t%zu\t%llu\n", o->result->usage.peak_bytes, o->result->usage.live_bytes,
                (unsigned long long)o->result->usage.allocations);
    else
        fprintf(out, "-\t-\t-\n");
}

bool hb_export_tsv(const char *path) { return export_all(path, "", write_tsv, ""); }

/* ---- JUnit XML ---- */

static void xml_text(FILE *out, const char *text) {
    for (; *text; text++) {
        switch (*text) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            /* XML 1.0 allows no control characters but tab and newlines. */
            if ((unsigned char)*text >= 0x20 || *text == '\n' || *text == '\t')
                fputc(*text, out);
        }
    }
}

static void write_failures(FILE *out, CU_pTest test, void (*text)(FILE *, const char *),
                           const char *separator) {
    bool first = true;
    for (CU_pFailureRecord f = CU_get_failure_list(); f != NULL; f = f->pNext) {
        if (f->pTest != test)
            continue;
        if (!first)
            fputs(separator, out);
        first = false;
        char where[512];
        snprintf(where, sizeof where, "%s:%u: ", f->strFileName ? f->strFileName : "",
                 f->uiLineNumber);
        text(out, where);
        text(out, f->strCondition ? f->strCondition : "");
    }
}

static void write_junit(FILE *out, const outcome *o, CU_pTest test, bool first) {
    (void)first;
    fputs("    <testcase classname=\"", out);
    xml_text(out, o->suite);
    fputs("\" name=\"", out);
    xml_text(out, o->test);
    fputs("\">\n", out);
    if (o->failures > 0) {
        fputs("      <failure type=\"", out);
        xml_text(out, o->reasons);
        fputs("\">", out);
        write_failures(out, test, xml_text, "\n");
        fputs("</failure>\n", out);
    }
    fputs("    </testcase>\n", out);
}

bool hb_export_junit(const char *path) {
    CU_pRunSummary summary = CU_get_run_summary();
    char head[256];
    snprintf(head, sizeof head,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<testsuites>\n  <testsuite name=\"heapbook\" tests=\"%u\" failures=\"%u\">\n",
             summary->nTestsRun, summary->nTestsFailed);
    return export_all(path, head, write_junit, "  </testsuite>\n</testsuites>\n");
}

/* ---- JSON ---- */

static void json_figure(FILE *out, const char *name, unsigned long long measured, bool has_limit,
                        size_t limit) {
    fprintf(out, ", \"%s\": %llu", name, measured);
    if (has_limit)
        fprintf(out, ", \"%s_limit\": %zu", name, limit);
}

static void write_json(FILE *out, const outcome *o, CU_pTest test, bool first) {
    fprintf(out, "%s\n    {\"name\": \"", first ? "" : ",");
    hb_json_escape(out, o->test);
    fprintf(out, "\", \"status\": \"%s\"", o->failures ? "fail" : "pass");
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
        fputs("}", out);
    }
    fputs("}", out);
}

bool hb_export_json(const char *path) {
    CU_pRunSummary summary = CU_get_run_summary();
    char head[128];
    snprintf(head, sizeof head, "{\"version\": 2, \"status\": \"%s\", \"tests\": [",
             summary->nTestsFailed > 0 ? "fail" : "pass");
    return export_all(path, head, write_json, "\n]}\n");
}
