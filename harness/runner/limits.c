/* limits.c: a memory test's verdict, made in the runner's process from
 * the measurement its own process sent (runner.h: Limits; protocol.h): the
 * limits parsed and checked, every test's leak judged, the kernel's count
 * of the process's memory held against the counted figures, and the
 * figures shown.  Nothing here runs where the code under test runs, but
 * hb_limits_parse, which measure.c calls to know whether a body can be
 * measured. */
#include "isolate.h"

#include <stdio.h>
#include <string.h>

/* Sites as the child sent them, read as those of `view`. */
static void report_sites(hb_text *report, const hb_raw_sites *raw, enum hb_site_view view) {
    hb_site_stack sites[HB_WIRE_SITES];
    for (uint32_t i = 0; i < raw->count; i++)
        sites[i] = (hb_site_stack){.bytes = raw->site[i].bytes,
                                   .blocks = raw->site[i].blocks,
                                   .frames = raw->site[i].frames,
                                   .depth = raw->site[i].depth};
    hb_report_site_stacks(report, sites, raw->count, raw->total, view);
}

/* The kernel's backstop (docs/harness.md: The kernel's count).  What a
 * memory test's process came to hold during its body is what it allocated
 * (a freed block may stay: held in quarantine, or on a page mimalloc
 * keeps), up to a quarter more (mimalloc's size classes are 12.5% apart,
 * and its pages are committed whole), a header per block, and the
 * harness's own work (its stack table, the sites' figures, unwinding).
 * Two counts of the kernel's are compared with that:
 *   - the anonymous memory the process holds once the body has ended and
 *     its measurement is sent, against what it held as the body started,
 *     both counted page by page (smaps_rollup): exact, so its margin is
 *     only the harness's own work, measured (docs/harness.md);
 *   - the high-water mark of its resident memory (wait4), for memory held
 *     during the body and let go before its end: the kernel counts it in
 *     batches per processor, and file pages (code run for the first time)
 *     are in it, so its margin is wider.
 * Past either margin is memory no scope counted: mapped, or kept another
 * way the harness does not see. */
enum {
    ANONYMOUS_MARGIN = 512 * 1024, /* the harness's own pages, after the body */
    RESIDENT_MARGIN = 1280 * 1024, /* the same, file pages and the batches, during it */
    BLOCK_OVERHEAD = 64,           /* a block's header and size-class rounding */
    ROUNDING_SHARE = 4,            /* a quarter of what was allocated */
};

static void headline(hb_text *report, const char *test);

/* ---- what code run before the tests keeps
 *
 * A suite's constructor may call exercise code before any test (exercise
 * 05's makes its sample text so): what that keeps allocated lives in
 * every test's process, counted by no test, like static storage.  So it is
 * counted from before the program's constructors to main(), and limited
 * like an exercise's static storage (4 KiB), with room for the stream such
 * a constructor opens: its FILE (glibc's, with its lock and wide state, is
 * under 1 KiB) and its buffer (the file system's block size, at most
 * BUFSIZ).  Exercise 05's keeps 4.5 KiB. */
enum { STARTUP_MAX = 4096 + 1024 + BUFSIZ };

static struct {
    hb_scope *scope;
    size_t kept;
    hb_text sites; /* where what was kept was allocated */
} startup;

void hb_startup_memory_count(void) { startup.scope = hb_scope_begin(HB_SCOPE_STACKS); }

void hb_startup_memory_end(void) {
    if (startup.scope == NULL || !hb_scope_end(startup.scope))
        return;
    startup.kept = hb_scope_usage(startup.scope).live_bytes;
    if (startup.kept > STARTUP_MAX)
        hb_report_sites(&startup.sites, startup.scope, HB_SITES_LIVE);
    hb_scope_release(startup.scope);
    startup.scope = NULL;
}

/* Each memory test fails while code run before the tests keeps more than
 * STARTUP_MAX: its figures would leave that memory out. */
static unsigned check_startup(const hb_test_def *def, hb_text *report) {
    if (startup.kept <= STARTUP_MAX)
        return 0;
    char kept[HB_SIZE_TEXT], limit[HB_SIZE_TEXT];
    headline(report, def->name);
    hb_text_printf(report,
                   "code run before the tests (a constructor of the suite's) kept %s allocated, "
                   "which no test counts: keep at most %s there, and allocate what a test uses "
                   "in the functions it calls\n%s",
                   hb_size_format(startup.kept, kept), hb_size_format(STARTUP_MAX, limit),
                   hb_text_get(&startup.sites));
    return HB_FAILED_HIDDEN_MEMORY;
}

static unsigned judge_leaks(const hb_test_def *def, const hb_measurement *m, hb_result *result,
                            hb_text *report);

/* By how much `before` to `after` (KiB) grew past what `m` counted and
 * `margin`: 0 if not, or if a count is unknown. */
static uint64_t unexplained_growth(const hb_measurement *m, uint64_t before_kib, uint64_t after_kib,
                                   uint64_t margin, uint64_t *grown) {
    if (before_kib == 0 || after_kib <= before_kib)
        return 0;
    *grown = (after_kib - before_kib) * 1024;
    uint64_t counted = m->usage.total_bytes + m->usage.mapped_peak_bytes;
    uint64_t explained =
        counted + counted / ROUNDING_SHARE + m->usage.allocations * BLOCK_OVERHEAD + margin;
    return *grown > explained ? *grown - counted : 0;
}

static unsigned check_resident(const hb_test_def *def, const hb_measurement *m,
                               uint64_t resident_peak_kib, hb_text *report) {
    uint64_t grown = 0;
    uint64_t unexplained = unexplained_growth(m, m->anonymous_before_kib, m->anonymous_after_kib,
                                              ANONYMOUS_MARGIN, &grown);
    const char *count = "its anonymous memory (the kernel's count, page by page) rose by";
    if (unexplained == 0 && resident_peak_kib != 0) {
        unexplained = unexplained_growth(m, m->resident_before_kib, resident_peak_kib,
                                         RESIDENT_MARGIN, &grown);
        count = "its resident memory (the kernel's count) rose by";
    }
    if (unexplained == 0)
        return 0;
    uint64_t counted = m->usage.total_bytes + m->usage.mapped_peak_bytes;
    char unexplained_text[HB_SIZE_TEXT], resident[HB_SIZE_TEXT], allocated[HB_SIZE_TEXT];
    headline(report, def->name);
    hb_text_printf(report,
                   "the process grew by %s that no counted allocation explains: memory mapped or "
                   "kept another way\n",
                   hb_size_format(unexplained, unexplained_text));
    hb_text_printf(report,
                   "      %s %s, and the test allocated %s in all: memory a test uses must come "
                   "from malloc, calloc or realloc\n",
                   count, hb_size_format(grown, resident), hb_size_format(counted, allocated));
    return HB_FAILED_HIDDEN_MEMORY;
}

void hb_limits_judge(const hb_test_def *def, const hb_measurement *measurement,
                     uint64_t resident_peak_kib, const hb_result *reported) {
    /* Only the bits a fault injection's parts can give. */
    const unsigned part_bits = HB_FAILED_LEAKS | HB_FAILED_CRASH | HB_FAILED_TIMEOUT |
                               HB_FAILED_EXIT | HB_FAILED_OVERFLOW | HB_FAILED_USE_AFTER_FREE |
                               HB_FAILED_HIDDEN_MEMORY;
    hb_result result = {.test = def->name,
                        .failures = measurement->part_failures & part_bits,
                        .reports = measurement->part_reports};
    if (reported != NULL) {
        result.failures |= reported->failures;
        result.reports += reported->reports;
    }
    if (measurement->events & HB_EVENT_SANITIZER_LEAK) { /* it reported its own */
        result.failures |= HB_FAILED_LEAKS;
        result.reports++;
    }
    hb_context_adopt_draws(measurement->draws, measurement->draw_count);
    hb_text report = {0};
    unsigned failures =
        def->limits == NULL ? 0 : hb_limits_parse(def->name, def->limits, &result.limits, &report);
    bool counted = hb_memcheck_not_counting() == NULL;
    if (def->limits == NULL ||
        (failures == 0 && counted && !(measurement->events & HB_EVENT_MEASURED))) {
        /* A test without limits, or a memory test stopped by a fatal
         * assertion: the figures of the whole test. */
        result.limits = (hb_parsed_limits){0};
        result.measured = counted && result.reports == 0;
        result.usage = result.measured ? measurement->usage : (hb_usage){0};
    } else {
        result.memory_test = true;
        result.measured = failures == 0 && counted;
        if (result.measured) {
            result.usage = measurement->usage;
            result.stack_bytes = measurement->stack_bytes;
            failures |= hb_limits_check(def->name, &result.limits, measurement, &report);
            failures |= check_resident(def, measurement, resident_peak_kib, &report);
            failures |= check_startup(def, &report);
        }
        result.failures |= failures;
        result.reports += failures ? 1 : 0;
        if (failures != 0) {
            if (result.measured) {
                hb_text_printf(&report, "      measured: ");
                hb_limits_figures(&result, def->file, true, &report);
                hb_text_printf(&report, "\n");
            }
            hb_context_append(&report);
            CU_assertImplementation(CU_FALSE, def->line, hb_text_get(&report), def->file, "",
                                    CU_FALSE);
        }
    }
    hb_text_free(&report);
    hb_text leaks = {0};
    unsigned leaked = counted ? judge_leaks(def, measurement, &result, &leaks) : 0;
    result.failures |= leaked;
    result.reports += leaked ? 1 : 0;
    hb_results_record(&result);
    if (leaked) {
        hb_context_append(&leaks);
        CU_assertImplementation(CU_FALSE, def->line, hb_text_get(&leaks), def->file, "", CU_FALSE);
    }
    hb_text_free(&leaks);
}

/* In the runner's process: blocks the whole test left live fail it, but
 * for a memory test whose .leaks limit judges them. */
static unsigned judge_leaks(const hb_test_def *def, const hb_measurement *m, hb_result *result,
                            hb_text *report) {
    result->test_leaked_bytes = m->test_leaked_bytes;
    result->test_leaked_blocks = m->test_leaked_blocks;
    /* A test a fatal assertion stopped has failed already, and what it had
     * not yet freed is its stop's doing (the free after the assertion
     * never ran), not the code's leak. */
    bool judged_by_its_limit = result->memory_test && result->limits.has_leaks;
    if (m->test_leaked_blocks == 0 || judged_by_its_limit || (m->events & HB_EVENT_STOPPED))
        return 0;
    char bytes[HB_SIZE_TEXT];
    hb_text_printf(
        report,
        "%s: %s in %llu %s allocated during the test %s never freed: a leak, even "
        "if a global still points to %s\n",
        def->name, hb_size_format(m->test_leaked_bytes, bytes),
        (unsigned long long)m->test_leaked_blocks, m->test_leaked_blocks == 1 ? "block" : "blocks",
        m->test_leaked_blocks == 1 ? "was" : "were", m->test_leaked_blocks == 1 ? "it" : "them");
    const hb_raw_sites *raw = &m->sites[HB_WIRE_LEAKED];
    size_t read = raw->count < HB_REPORT_SITES_READ ? raw->count : HB_REPORT_SITES_READ;
    uint64_t seen = 0;
    for (size_t i = 0; i < read; i++)
        seen += raw->site[i].bytes;
    if (raw->total > 0) {
        hb_text_printf(report, "      where the leaked blocks were allocated:\n");
        report_sites(report, raw, HB_SITES_LIVE);
    }
    if (raw->total == read && m->test_leaked_bytes > seen)
        hb_text_printf(report,
                       "      and %s held another way: a mapping or a thread's stack still "
                       "held, or blocks another thread allocated\n",
                       hb_size_format(m->test_leaked_bytes - seen, bytes));
    hb_text_printf(report, "      free them before the test ends (a test that keeps a block on "
                           "purpose says so with hb_keep())");
    return HB_FAILED_LEAKS;
}

/* ---- limits */

typedef bool (*parse_fn)(const char *, size_t *, char *);

/* Parses one limit if it is set; false if it is set but malformed. */
static bool parse_limit(const char *test, const char *field, const char *value, parse_fn parse,
                        bool *has, size_t *limit, hb_text *report) {
    char error[HB_SIZE_ERROR];
    *has = value != NULL;
    if (value == NULL || parse(value, limit, error))
        return true;
    hb_text_printf(report, "%s: bad memory limit .%s: %s\n", test, field, error);
    return false;
}

unsigned hb_limits_parse(const char *test, const hb_limits *limits, hb_parsed_limits *parsed,
                         hb_text *report) {
    parsed->written = *limits;
    bool ok = parse_limit(test, "peak", limits->peak, hb_size_parse, &parsed->has_peak,
                          &parsed->peak, report);
    ok &= parse_limit(test, "leaks", limits->leaks, hb_size_parse, &parsed->has_leaks,
                      &parsed->leaks, report);
    ok &= parse_limit(test, "allocations", limits->allocations, hb_count_parse,
                      &parsed->has_allocations, &parsed->allocations, report);
    ok &= parse_limit(test, "stack", limits->stack, hb_size_parse, &parsed->has_stack,
                      &parsed->stack, report);
    if (!parsed->has_stack)
        parsed->stack = HB_DEFAULT_STACK_LIMIT;
    return ok ? 0 : HB_FAILED_BAD_LIMIT;
}

/* Starts one limit's report: the first says which test, the next ones are
 * indented under it, as CUnit prints the first after "  1. file:line  - ". */
static void headline(hb_text *report, const char *test) {
    if (report->length == 0)
        hb_text_printf(report, "%s: ", test);
    else
        hb_text_printf(report, "      %s: ", test);
}

enum { FIGURE_TEXT = 2 * HB_SIZE_TEXT + 16 };

/* A size limit as the test wrote it, with the harness's own reading when
 * the two differ ("20 MB (19.1 MiB)", "16 KiB" alone); `exact` adds its
 * bytes, for when a figure next to it would round to the same text. */
static void limit_text(const char *written, size_t limit, bool exact, char text[FIGURE_TEXT]) {
    char formatted[HB_SIZE_TEXT], shortened[HB_SIZE_TEXT];
    hb_size_format(limit, formatted);
    /* "16.0 KiB" reads as the "16 KiB" written */
    const char *point = strstr(formatted, ".0 ");
    snprintf(shortened, sizeof shortened, "%.*s%s", point ? (int)(point - formatted) : 0, formatted,
             point ? point + 2 : formatted);
    char bytes[HB_SIZE_TEXT];
    snprintf(bytes, sizeof bytes, "%zu B", limit);
    if (exact && (strcmp(written, bytes) == 0 || strspn(written, "0123456789") == strlen(written)))
        snprintf(text, FIGURE_TEXT, "%s", bytes);
    else if (exact)
        snprintf(text, FIGURE_TEXT, "%s (%s)", written, bytes);
    else if (strcmp(written, formatted) == 0 || strcmp(written, shortened) == 0)
        snprintf(text, FIGURE_TEXT, "%s", written);
    else
        snprintf(text, FIGURE_TEXT, "%s (%s)", written, formatted);
}

/* A measured size: exact bytes when its limit would read the same. */
static void used_text(size_t used, size_t limit, char text[FIGURE_TEXT], bool *exact) {
    char a[HB_SIZE_TEXT], b[HB_SIZE_TEXT];
    *exact = strcmp(hb_size_format(used, a), hb_size_format(limit, b)) == 0 && used != limit;
    if (*exact)
        snprintf(text, FIGURE_TEXT, "%zu B", used);
    else
        snprintf(text, FIGURE_TEXT, "%s", a);
}

/* "limited to LIMIT ... but USED" for a size limit. */
static void size_pair(const char *written, size_t limit, size_t used, char limit_out[FIGURE_TEXT],
                      char used_out[FIGURE_TEXT]) {
    bool exact;
    used_text(used, limit, used_out, &exact);
    limit_text(written, limit, exact, limit_out);
}

void hb_limits_figures(const hb_result *result, const char *suite_file, bool all, hb_text *text) {
    const hb_parsed_limits *limits = &result->limits;
    const hb_usage *usage = &result->usage;
    char used[FIGURE_TEXT], limit[FIGURE_TEXT];
    /* peak, leaks, allocations, stack: each measured one, "of" its limit */
    struct {
        const char *name;
        bool has_limit, is_size;
        size_t measured, limit;
        const char *written;
    } figures[] = {
        {"peak", limits->has_peak, true, usage->peak_bytes, limits->peak, limits->written.peak},
        {"leaks", limits->has_leaks, true, usage->live_bytes, limits->leaks, limits->written.leaks},
        {"allocations", limits->has_allocations, false, usage->allocations, limits->allocations,
         limits->written.allocations},
        {"stack", limits->has_stack, true, result->stack_bytes, limits->stack,
         limits->written.stack},
    };
    bool first = true;
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        size_t starter;
        bool compared = hb_starter_figure(suite_file, result->test, figures[i].name, &starter) &&
                        starter != figures[i].measured;
        if (!all && !figures[i].has_limit && !compared)
            continue;
        bool exact = false;
        if (figures[i].is_size)
            used_text(figures[i].measured, figures[i].limit, used, &exact);
        else
            snprintf(used, sizeof used, "%zu", figures[i].measured);
        hb_text_printf(text, "%s%s %s", first ? "" : ", ", figures[i].name, used);
        first = false;
        if (figures[i].has_limit) {
            if (figures[i].is_size)
                limit_text(figures[i].written, figures[i].limit, exact, limit);
            else
                snprintf(limit, sizeof limit, "%s", figures[i].written);
            hb_text_printf(text, " of %s", limit);
        }
        if (compared) {
            if (figures[i].is_size)
                hb_size_format(starter, used);
            else
                snprintf(used, sizeof used, "%zu", starter);
            hb_text_printf(text, " (the starter: %s)", used);
        }
    }
}

void hb_limits_print_passed(const hb_test_def *def) {
    const hb_result *result = hb_results_find(def->name);
    if (result == NULL || !result->memory_test || !result->measured)
        return;
    hb_text figures = {0};
    hb_limits_figures(result, def->file, false, &figures);
    printf("%s: ", hb_text_get(&figures));
    hb_text_free(&figures);
}

unsigned hb_limits_check(const char *test, const hb_parsed_limits *limits,
                         const hb_measurement *measurement, hb_text *report) {
    hb_usage usage = measurement->usage;
    size_t stack_bytes = measurement->stack_bytes;
    char limit[FIGURE_TEXT], used[FIGURE_TEXT];
    unsigned failures = 0;

    if (limits->has_peak && usage.peak_bytes > limits->peak) {
        failures |= HB_FAILED_PEAK;
        size_pair(limits->written.peak, limits->peak, usage.peak_bytes, limit, used);
        headline(report, test);
        hb_text_printf(report, "limited to %s but peak heap was %s\n", limit, used);
        hb_text_printf(report, "      allocation sites at the peak, biggest first:\n");
        report_sites(report, &measurement->sites[HB_SITES_AT_PEAK], HB_SITES_AT_PEAK);
        if (usage.mapped_peak_bytes > 0)
            hb_text_printf(report, "      of it, files mapped: %s at most\n",
                           hb_size_format(usage.mapped_peak_bytes, limit));
    }
    if (limits->has_leaks && usage.live_bytes > limits->leaks) {
        failures |= HB_FAILED_LEAKS;
        size_pair(limits->written.leaks, limits->leaks, usage.live_bytes, limit, used);
        headline(report, test);
        hb_text_printf(report, "limited to %s of leaks but %s in %llu %s never freed\n", limit,
                       used, (unsigned long long)usage.live_blocks,
                       usage.live_blocks == 1 ? "block was" : "blocks were");
        hb_text_printf(report, "      where the leaked blocks were allocated:\n");
        report_sites(report, &measurement->sites[HB_SITES_LIVE], HB_SITES_LIVE);
    }
    if (limits->has_allocations && usage.allocations > limits->allocations) {
        failures |= HB_FAILED_ALLOCATIONS;
        headline(report, test);
        hb_text_printf(report, "limited to %s allocations but made %llu\n",
                       limits->written.allocations, (unsigned long long)usage.allocations);
        hb_text_printf(report, "      sites that allocated most often:\n");
        report_sites(report, &measurement->sites[HB_SITES_ALLOCATED], HB_SITES_ALLOCATED);
    }
    if (stack_bytes > limits->stack) {
        failures |= HB_FAILED_STACK;
        size_pair(limits->has_stack ? limits->written.stack : HB_DEFAULT_STACK_LIMIT_TEXT,
                  limits->stack, stack_bytes, limit, used);
        headline(report, test);
        hb_text_printf(
            report,
            "limited to %s of stack%s but its calls went %s deep: data held in "
            "frames (deep recursion, local arrays) is memory too\n",
            limit, limits->has_stack ? "" : " (every memory test's, unless it sets .stack)", used);
    }
    return failures;
}
