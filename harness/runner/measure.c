/* measure.c: memory tests: the measured scope, the stack, their limits
 * and the verdict (runner.h: Limits; heapbook.h). */
#include "runner.h"

#include <alloca.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- the stack a test uses
 *
 * Before the body runs, the stack below it is painted with a pattern down
 * to near its limit; after, the lowest word changed is as deep as the
 * body's calls went (its frames, and the libraries' and the harness's
 * frames it called).  Deterministic: frames have the same sizes at every
 * run, wherever the stack starts.  Figures under PAINT_GAP read as 0. */

enum {
    PAINT_GAP = 256,              /* below the painter's frame: its locals, the red zone */
    PAINT_MAX = 64 * 1024 * 1024, /* the deepest painted, whatever the limit */
    PAINT_MARGIN = 64 * 1024,     /* kept clear above the stack's limit */
};

static const uint64_t paint_word = UINT64_C(0x57AC57AC57AC57AC);

typedef struct stack_watch {
    uintptr_t top;   /* where the body's frames begin */
    uintptr_t floor; /* the lowest word painted */
} stack_watch;

/* noinline: its frame is where the body's will be. */
__attribute__((noinline)) static void paint_stack(stack_watch *watch) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    hb_guard_enter(); /* glibc may allocate to say where the stack is */
    uintptr_t limit = hb_stacks_this_thread().low; /* 0 if unknown */
    hb_guard_leave();
    watch->top = here;
    watch->floor = here - PAINT_GAP;
    if (limit == 0 || here < limit + PAINT_MARGIN + PAINT_GAP)
        return;
    uintptr_t floor = limit + PAINT_MARGIN;
    if (here - floor > PAINT_MAX)
        floor = here - PAINT_MAX;
    floor &= ~(uintptr_t)7;
    /* volatile: stores below this frame's stack pointer, which the compiler
     * would otherwise see as dead. */
    for (volatile uint64_t *word = (volatile uint64_t *)(watch->floor & ~(uintptr_t)7);
         (uintptr_t)word > floor; word--)
        word[-1] = paint_word;
    watch->floor = floor;
}

static size_t stack_used(const stack_watch *watch) {
    uintptr_t painted_top = (watch->top - PAINT_GAP) & ~(uintptr_t)7;
    for (const volatile uint64_t *word = (const volatile uint64_t *)watch->floor;
         (uintptr_t)word < painted_top; word++)
        if (*word != paint_word)
            return watch->top - (uintptr_t)word;
    return 0;
}

/* Paints, runs the body, and says how deep it went.  noinline: the
 * caller's frame is where the body's frames begin. */
__attribute__((noinline)) static size_t run_watched(void (*body)(void)) {
    stack_watch watch;
    paint_stack(&watch);
    body();
    return stack_used(&watch);
}

/* A frame that aligns itself (to 32 or 64 bytes, for vector registers)
 * sits up to 48 bytes deeper or shallower as the stack's start moves (the
 * environment's size moves it): the body starts at the same offset from a
 * 64-byte boundary every run, so its figure does not move. */
enum { STACK_ALIGNMENT = 64 };

static size_t run_aligned(void (*body)(void)) {
    uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
    volatile char *pad = alloca(frame % STACK_ALIGNMENT + 1);
    pad[0] = 0;
    return run_watched(body);
}

/* The scope of the memory test running now.  A fatal CUnit assertion jumps
 * out of the test body past hb_scope_end(); the suite's tear-down then
 * closes the scope (hb_test_tear_down). */
static hb_scope *running_scope;
static const char *running_test;
static const char *running_file;
static unsigned running_line;

void hb_run_measured(const char *test, const hb_limits *limits, void (*body)(void),
                     const char *file, unsigned line) {
    hb_text report = {0};
    hb_parsed_limits parsed = {0};
    hb_usage usage = {0};
    size_t stack_bytes = 0;
    bool measured = false;
    unsigned failures = hb_limits_parse(test, limits, &parsed, &report);
    const char *not_counting = failures == 0 ? hb_memcheck_not_counting() : NULL;
    if (not_counting != NULL) {
        /* make memcheck or valgrind: nothing is counted, so no figure would
         * mean anything; the body's assertions still do. */
        hb_memcheck_skipped("memory limits", not_counting);
        failures = hb_memcheck_run(body, test, file, line);
    } else if (failures == 0) {
        if (!hb_runner_isolated()) {
            /* What earlier tests left (a cache, stdio's state) is this
             * one's too: its figures may differ from an isolated run's.
             * On CUnit's line of the test; Google Test's output
             * (gtest.c) has a line for it, before any failure's. */
            printf("[not isolated: HEAPBOOK_FORK=0]%s", hb_gtest_requested() ? "\n" : " ");
            fflush(stdout);
        }
        running_scope = hb_scope_begin(HB_SCOPE_STACKS);
        running_test = test;
        running_file = file;
        running_line = line;
        stack_bytes = run_aligned(body);
        hb_scope_end(running_scope);
        usage = hb_scope_usage(running_scope);
        measured = true;
        failures = hb_limits_check(test, &parsed, running_scope, stack_bytes, &report);
        hb_scope_release(running_scope);
        running_scope = NULL;
    }
    hb_result result = {.test = test,
                        .failures = failures,
                        .reports = failures ? 1 : 0,
                        .measured = measured,
                        .usage = usage,
                        .memory_test = true,
                        .stack_bytes = stack_bytes,
                        .limits = parsed};
    hb_results_record(&result);
    if (failures != 0 && not_counting == NULL) { /* a leak check reports its own */
        if (measured) {
            hb_text_printf(&report, "      measured: ");
            hb_limits_figures(&result, file, true, &report);
            hb_text_printf(&report, "\n");
        }
        hb_context_append(&report);
        CU_assertImplementation(CU_FALSE, line, hb_text_get(&report), file, "", CU_FALSE);
    }
    hb_text_free(&report);
}

bool hb_measuring(const char **test, const char **file, unsigned *line) {
    *test = running_test;
    *file = running_file;
    *line = running_line;
    return running_scope != NULL;
}

/* ---- leaks: what every test left allocated at its end */

enum { MAX_KEPT = 256 }; /* blocks a test keeps: a few, at most a table's worth */

/* The blocks the running test keeps (its process's: each test has one). */
static struct {
    uintptr_t address[MAX_KEPT];
    size_t count;
} kept;

void hb_keep_at(const void *block, const char *file, unsigned line) {
    if (hb_memcheck_not_counting() != NULL)
        return; /* nothing counted, nothing to keep: LeakSanitizer judges */
    hb_block found;
    const char *wrong = NULL;
    if (!hb_blocks_find((uintptr_t)block, &found))
        wrong = "is not a live block that malloc & co. returned";
    else if (kept.count == MAX_KEPT)
        wrong = "is one block too many to keep (at most 256)";
    if (wrong == NULL) {
        kept.address[kept.count++] = (uintptr_t)block;
        return;
    }
    char message[200];
    snprintf(message, sizeof message, "hb_keep(%p): the pointer %s", block, wrong);
    CU_assertImplementation(CU_FALSE, line, message, file, "", CU_FALSE);
}

void hb_leaks_check(const char *test, const char *file, unsigned line, const hb_usage *whole,
                    uint64_t first_scope_id) {
    const hb_result *found = hb_results_find(test);
    hb_result result = found != NULL ? *found : (hb_result){.test = test};
    size_t kept_bytes = 0;
    uint64_t kept_blocks = 0;
    for (size_t i = 0; i < kept.count; i++) {
        hb_block block;
        if (hb_blocks_find(kept.address[i], &block) && block.scope_id >= first_scope_id) {
            kept_bytes += block.size;
            kept_blocks++;
        }
    }
    result.test_leaked_bytes = whole->live_bytes - kept_bytes;
    result.test_leaked_blocks = whole->live_blocks - kept_blocks;
    bool judged_by_its_limit = result.memory_test && result.limits.has_leaks;
    bool leaked = result.test_leaked_blocks != 0 && !judged_by_its_limit;
    if (leaked) {
        result.failures |= HB_FAILED_LEAKS;
        result.reports++;
    }
    hb_results_record(&result);
    if (leaked) {
        hb_text report = {0};
        hb_site sites[HB_REPORT_SITES_READ];
        hb_guard_enter();
        size_t total = hb_blocks_live_sites(first_scope_id, kept.address, kept.count, sites,
                                            HB_REPORT_SITES_READ);
        hb_guard_leave();
        char bytes[HB_SIZE_TEXT];
        hb_text_printf(&report,
                       "%s: %s in %llu %s allocated during the test %s never freed: a leak, even "
                       "if a global still points to %s\n",
                       test, hb_size_format(result.test_leaked_bytes, bytes),
                       (unsigned long long)result.test_leaked_blocks,
                       result.test_leaked_blocks == 1 ? "block" : "blocks",
                       result.test_leaked_blocks == 1 ? "was" : "were",
                       result.test_leaked_blocks == 1 ? "it" : "them");
        size_t read = total < HB_REPORT_SITES_READ ? total : HB_REPORT_SITES_READ, seen = 0;
        for (size_t i = 0; i < read; i++)
            seen += sites[i].bytes;
        if (total > 0) {
            hb_text_printf(&report, "      where the leaked blocks were allocated:\n");
            hb_report_site_list(&report, sites, read, total, HB_SITES_LIVE);
        }
        if (total == read && result.test_leaked_bytes > seen)
            hb_text_printf(&report,
                           "      and %s held another way: a mapping or a thread's stack still "
                           "held, or blocks another thread allocated\n",
                           hb_size_format(result.test_leaked_bytes - seen, bytes));
        hb_text_printf(&report,
                       "      free them before the test ends (a test that keeps a block on "
                       "purpose says so with hb_keep())");
        hb_context_append(&report);
        CU_assertImplementation(CU_FALSE, line, hb_text_get(&report), file, "", CU_FALSE);
        hb_text_free(&report);
    }
    kept.count = 0;
}

/* Registered as every HB_TEST's `checked` runner (heapbook.h); run instead
 * of the test only where AddressSanitizer owns malloc (hb_register_test). */
void hb_run_checked(const char *test, void (*body)(void), const char *file, unsigned line) {
    unsigned failures = hb_memcheck_run(body, test, file, line);
    /* Recorded, so the figures of a scope that saw nothing are not. */
    hb_results_record(
        &(hb_result){.test = test, .failures = failures, .reports = failures ? 1 : 0});
}

void hb_test_tear_down(void) {
    if (running_scope == NULL)
        return;
    hb_scope_end(running_scope);
    hb_scope_release(running_scope);
    running_scope = NULL;
    CU_assertImplementation(CU_FALSE, running_line,
                            "memory limits not checked: the test stopped at a fatal assertion",
                            running_file, "", CU_FALSE);
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

unsigned hb_limits_check(const char *test, const hb_parsed_limits *limits, const hb_scope *scope,
                         size_t stack_bytes, hb_text *report) {
    hb_usage usage = hb_scope_usage(scope);
    char limit[FIGURE_TEXT], used[FIGURE_TEXT];
    unsigned failures = 0;

    if (limits->has_peak && usage.peak_bytes > limits->peak) {
        failures |= HB_FAILED_PEAK;
        size_pair(limits->written.peak, limits->peak, usage.peak_bytes, limit, used);
        headline(report, test);
        hb_text_printf(report, "limited to %s but peak heap was %s\n", limit, used);
        hb_text_printf(report, "      allocation sites at the peak, biggest first:\n");
        hb_report_sites(report, scope, HB_SITES_AT_PEAK);
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
        hb_report_sites(report, scope, HB_SITES_LIVE);
    }
    if (limits->has_allocations && usage.allocations > limits->allocations) {
        failures |= HB_FAILED_ALLOCATIONS;
        headline(report, test);
        hb_text_printf(report, "limited to %s allocations but made %llu\n",
                       limits->written.allocations, (unsigned long long)usage.allocations);
        hb_text_printf(report, "      sites that allocated most often:\n");
        hb_report_sites(report, scope, HB_SITES_ALLOCATED);
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
