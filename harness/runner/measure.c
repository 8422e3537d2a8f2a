/* measure.c: memory tests: the measured scope, the stack, their limits
 * and the verdict (runner.h: Limits; heapbook.h). */
#include "isolate.h"

#include <alloca.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wordexp.h>

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

/* Paints [floor, from) downwards.  Inlined: a frame of its own would sit in
 * what it paints. */
__attribute__((always_inline)) static inline void paint_down(uintptr_t from, uintptr_t floor) {
    /* volatile: stores below this frame's stack pointer, which the compiler
     * would otherwise see as dead. */
    for (volatile uint64_t *word = (volatile uint64_t *)(from & ~(uintptr_t)7);
         (uintptr_t)word > floor; word--)
        word[-1] = paint_word;
}

/* /proc/self/clear_refs, open to write: the test's process opens it
 * before it may open nothing to write (sandbox.c), and it stays open for
 * the process's life.  -1: not yet. */
static int clear_refs = -1;

void hb_limits_prepare(void) {
    if (clear_refs < 0)
        clear_refs = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
}

/* Resets the kernel's high-water mark of this process's resident memory
 * to what it holds now (Linux's clear_refs "5"), and has the parent read
 * that: where the backstop starts (hb_limits_judge). */
static void reset_resident_peak(void) {
    hb_limits_prepare();
    if (clear_refs >= 0 && write(clear_refs, "5", 1) == 1)
        hb_child_body_starts();
}

/* noinline: its frame is where the body's will be.  The stack is painted
 * twice, around the reset of the resident peak: the pages painted are then
 * resident before it, and the reset's own frames are painted over. */
__attribute__((noinline)) static void paint_stack(stack_watch *watch) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    hb_guard_enter(); /* glibc may allocate to say where the stack is */
    uintptr_t limit = hb_stacks_this_thread().low; /* 0 if unknown */
    hb_guard_leave();
    watch->top = here;
    watch->floor = here - PAINT_GAP;
    bool paint = limit != 0 && here >= limit + PAINT_MARGIN + PAINT_GAP;
    uintptr_t floor = limit + PAINT_MARGIN;
    if (here - floor > PAINT_MAX)
        floor = here - PAINT_MAX;
    floor &= ~(uintptr_t)7;
    if (paint)
        paint_down(watch->floor, floor);
    reset_resident_peak();
    if (paint) {
        paint_down(watch->floor, floor);
        watch->floor = floor;
    }
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

/* `count` sites with their frames, for the parent. */
static void copy_raw_sites(const hb_site *sites, uint32_t count, hb_raw_sites *raw) {
    for (uint32_t i = 0; i < count; i++) {
        raw->site[i].bytes = sites[i].bytes;
        raw->site[i].blocks = sites[i].blocks;
        raw->site[i].depth = (uint32_t)hb_stacks_frames(sites[i].stack_id, raw->site[i].frames);
    }
}

/* The sites of `view` in `scope`. */
static void copy_sites(const hb_scope *scope, enum hb_site_view view, hb_raw_sites *raw) {
    hb_site sites[HB_WIRE_SITES];
    raw->total = hb_scope_sites(scope, view, sites, HB_WIRE_SITES);
    raw->count = raw->total < HB_WIRE_SITES ? (uint32_t)raw->total : HB_WIRE_SITES;
    copy_raw_sites(sites, raw->count, raw);
}

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

void hb_limits_measure(const hb_scope *scope, size_t stack_bytes, hb_measurement *measurement) {
    measurement->usage = hb_scope_usage(scope);
    measurement->stack_bytes = stack_bytes;
    for (int view = 0; view < HB_WIRE_VIEWS; view++)
        copy_sites(scope, (enum hb_site_view)view, &measurement->sites[view]);
    measurement->events |= HB_EVENT_MEASURED;
}

/* In the test's process: measures, and leaves the verdict to the parent
 * (hb_limits_judge), which reads the limits from its own copy of the test.
 * This copy is parsed only to know whether the body can be measured. */
void hb_run_measured(const char *test, const hb_limits *limits, void (*body)(void),
                     const char *file, unsigned line) {
    hb_measurement *measurement = hb_child_measurement();
    hb_text ignored = {0};
    hb_parsed_limits parsed;
    bool limits_ok = hb_limits_parse(test, limits, &parsed, &ignored) == 0;
    hb_text_free(&ignored);
    const char *not_counting = limits_ok ? hb_memcheck_not_counting() : NULL;
    if (not_counting != NULL) {
        /* make memcheck or valgrind: nothing is counted, so no figure would
         * mean anything; the body's assertions still do. */
        hb_memcheck_skipped("memory limits", not_counting);
        if (hb_memcheck_run(body, test, file, line) != 0)
            measurement->events |= HB_EVENT_SANITIZER_LEAK;
    } else if (limits_ok) {
        if (!hb_child_isolated()) {
            /* What earlier tests left (a cache, stdio's state) is this
             * one's too: its figures may differ from an isolated run's.
             * On CUnit's line of the test; Google Test's output
             * (gtest.c) has a line for it, before any failure's. */
            printf("[not isolated: HEAPBOOK_FORK=0]%s", hb_gtest_requested() ? "\n" : " ");
            fflush(stdout);
        }
        hb_child_on_fatal_assertion(hb_test_tear_down);
        running_scope = hb_scope_begin(HB_SCOPE_STACKS);
        running_test = test;
        running_file = file;
        running_line = line;
        size_t stack_bytes = run_aligned(body);
        hb_scope_end(running_scope);
        hb_limits_measure(running_scope, stack_bytes, measurement);
        hb_scope_release(running_scope);
        running_scope = NULL;
    }
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

void hb_leaks_measure(const hb_usage *whole, uint64_t first_scope_id, hb_measurement *measurement) {
    size_t kept_bytes = 0;
    uint64_t kept_blocks = 0;
    for (size_t i = 0; i < kept.count; i++) {
        hb_block block;
        if (hb_blocks_find(kept.address[i], &block) && block.scope_id >= first_scope_id) {
            kept_bytes += block.size;
            kept_blocks++;
        }
    }
    measurement->test_leaked_bytes = whole->live_bytes - kept_bytes;
    measurement->test_leaked_blocks = whole->live_blocks - kept_blocks;
    hb_raw_sites *raw = &measurement->sites[HB_WIRE_LEAKED];
    *raw = (hb_raw_sites){0};
    if (measurement->test_leaked_blocks != 0) {
        hb_site sites[HB_WIRE_SITES];
        hb_guard_enter();
        raw->total =
            hb_blocks_live_sites(first_scope_id, kept.address, kept.count, sites, HB_WIRE_SITES);
        hb_guard_leave();
        raw->count = raw->total < HB_WIRE_SITES ? (uint32_t)raw->total : HB_WIRE_SITES;
        copy_raw_sites(sites, raw->count, raw);
    }
    kept.count = 0;
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

/* Registered as every HB_TEST's `checked` runner (heapbook.h); run instead
 * of the test only where AddressSanitizer owns malloc (hb_register_test). */
void hb_run_checked(const char *test, void (*body)(void), const char *file, unsigned line) {
    if (hb_memcheck_run(body, test, file, line) != 0)
        hb_child_measurement()->events |= HB_EVENT_SANITIZER_LEAK;
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

/* ---- child processes: every way the C library offers to make a child
 * process, refused inside a memory test (docs/harness.md: What else
 * counts).
 *
 * A child's allocations are counted in the child's copy of the scope,
 * never in the test's figures: a memory test that starts a process would
 * pass on half its memory.  So inside a memory test each of these fails as
 * it fails when the system refuses (EPERM) and fails the test, saying
 * why; everywhere else it is glibc's own (hb_next_function).
 *
 * Defined here, in the executable, so every call of the program's and of
 * the libraries it loads reaches them; glibc's calls inside itself (its
 * own fork() calling _Fork()) do not, and need not.  What exercise code
 * may name is the allow-list's to say (tools/check-objects.sh); this layer
 * catches the code it reaches through a library.  The harness makes its
 * own children with __fork(), which is left unwrapped for that. */

extern pid_t __fork(void);

/* True, with the test failed and errno EPERM, inside a memory test;
 * `how` ("" or " with ...") says what of the call made a child. */
static bool refused_call(const char *function, const char *how) {
    const char *test, *file;
    unsigned line;
    if (!hb_measuring(&test, &file, &line))
        return false;
    char message[400];
    snprintf(message, sizeof message,
             "%s: %s()%s inside a memory test: a child's allocations would not count in this "
             "test's figures; start processes in an HB_TEST, or measure each process on its own",
             test, function, how);
    CU_assertImplementation(CU_FALSE, line, message, file, "", CU_FALSE);
    errno = EPERM;
    return true;
}

static bool refused(const char *function) { return refused_call(function, ""); }

#pragma GCC visibility push(default)

pid_t fork(void) { return refused("fork") ? -1 : __fork(); }

/* vfork()'s child shares the parent's memory until it calls exec: a
 * fork() is what POSIX allows in its place, and safe here. */
pid_t vfork(void) { return refused("vfork") ? -1 : __fork(); }

/* glibc exports its own names too: the same, under them. */
pid_t __vfork(void) HB_ALIAS(vfork);

pid_t _Fork(void) {
    if (refused("_Fork"))
        return -1;
    pid_t (*original)(void) = hb_next_function("_Fork");
    return original();
}

int clone(int (*function)(void *), void *stack, int flags, void *argument, ...) {
    /* glibc's clone() reads these three whatever the flags say */
    va_list more;
    va_start(more, argument);
    pid_t *parent_tid = va_arg(more, pid_t *);
    void *tls = va_arg(more, void *);
    pid_t *child_tid = va_arg(more, pid_t *);
    va_end(more);
    if (refused("clone"))
        return -1;
    int (*original)(int (*)(void *), void *, int, void *, ...) = hb_next_function("clone");
    return original(function, stack, flags, argument, parent_tid, tls, child_tid);
}

int __clone(int (*function)(void *), void *stack, int flags, void *argument, ...) HB_ALIAS(clone);

int daemon(int keep_directory, int keep_streams) {
    if (refused("daemon"))
        return -1;
    int (*original)(int, int) = hb_next_function("daemon");
    return original(keep_directory, keep_streams);
}

pid_t forkpty(int *terminal, char *name, const struct termios *settings,
              const struct winsize *size) {
    if (refused("forkpty"))
        return -1;
    pid_t (*original)(int *, char *, const struct termios *, const struct winsize *) =
        hb_next_function("forkpty");
    return original(terminal, name, settings, size);
}

typedef int spawn_fn(pid_t *, const char *, const posix_spawn_file_actions_t *,
                     const posix_spawnattr_t *, char *const[], char *const[]);

/* posix_spawn() returns its error instead of setting errno. */
int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                const posix_spawnattr_t *attributes, char *const arguments[],
                char *const environment[]) {
    if (refused("posix_spawn"))
        return EPERM;
    spawn_fn *original = hb_next_function("posix_spawn");
    return original(pid, path, actions, attributes, arguments, environment);
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                 const posix_spawnattr_t *attributes, char *const arguments[],
                 char *const environment[]) {
    if (refused("posix_spawnp"))
        return EPERM;
    spawn_fn *original = hb_next_function("posix_spawnp");
    return original(pid, file, actions, attributes, arguments, environment);
}

int system(const char *command) {
    if (refused("system"))
        return -1;
    int (*original)(const char *) = hb_next_function("system");
    return original(command);
}

FILE *popen(const char *command, const char *mode) {
    if (refused("popen"))
        return NULL;
    FILE *(*original)(const char *, const char *) = hb_next_function("popen");
    return original(command, mode);
}

/* wordexp() runs a shell for each command substitution ("$(...)"): in a
 * memory test it expands everything else, and a substitution fails the
 * test instead. */
int wordexp(const char *words, wordexp_t *expanded, int flags) {
    int (*original)(const char *, wordexp_t *, int) = hb_next_function("wordexp");
    const char *test, *file;
    unsigned line;
    if ((flags & WRDE_NOCMD) || !hb_measuring(&test, &file, &line))
        return original(words, expanded, flags);
    int status = original(words, expanded, flags | WRDE_NOCMD);
    if (status == WRDE_CMDSUB)
        refused_call("wordexp", " with a command substitution");
    return status;
}

#pragma GCC visibility pop
