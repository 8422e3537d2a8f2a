/* fault_each.c: every allocation of a piece of code made to fail in turn
 * (heapbook.h: hb_fail_each_allocation; fault injection: counting.h).
 *
 * The code runs once.  At each of its allocations a child process is
 * forked in which that allocation fails: the child runs the code on from
 * there to its end and reports what went wrong (a leak, a crash, a failed
 * assertion, an endless loop); the parent waits for it, then lets the
 * allocation succeed and goes on to the next one.  So each failure point
 * costs the rest of the code's run after it (short: the error path), not
 * a whole run, and an allocation made only once (a cache filled on first
 * use) is failed too.  Code that starts threads does not suit it: a child
 * keeps only the thread that forked.
 *
 * What the code keeps when it succeeds, where a global reaches it (a cache
 * filled on first use), is no leak when an allocation fails either:
 * before the failure points, the code runs once to its end in a child of
 * its own, the normal run, which writes the sites (call stacks) of the
 * blocks it left live and reachable (reachable.c) into a page shared with
 * the test's process; a failure point's leak is what it leaves live beyond
 * those, site by site.  A block the normal run leaves unreachable is its
 * leak, and every failure point's too. */
#include "isolate.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* After this many failure points the rest would only repeat them. */
enum { MAX_REPORTED = 3 };

/* The share of the test's time limits the failure points may use: past
 * it no more are tried, and the test fails saying it was slow, before the
 * limit ends it as if it looped (the code's run must still end, and its
 * report be written). */
enum { TIME_BUDGET_PERCENT = 70 };

/* A site the normal run left reachable blocks at: its stack's frames,
 * hashed (a stack's id is its process's own; its frames are the same in
 * every child of the test's process). */
enum { MAX_KEPT_SITES = 256 };

typedef struct kept_site {
    uint64_t frames_hash;
    uint64_t bytes, blocks;
} kept_site;

typedef struct kept_by_normal_run {
    size_t count;
    kept_site sites[MAX_KEPT_SITES];
} kept_by_normal_run;

typedef struct failure_point {
    unsigned long n;   /* the allocation made to fail */
    unsigned failures; /* hb_failure bits */
    hb_text report;
} failure_point;

/* The module's state. */
typedef struct fault_each_state {
    const char *name;
    hb_scope *scope;
    bool in_child;         /* this process is a child where allocation `failing` failed */
    unsigned long failing; /* in the child */
    failure_point found[MAX_REPORTED];
    size_t found_count;
    bool timed;                /* the test runs under a time limit */
    hb_time_limit limit;       /* its limit */
    struct timespec started;   /* when the failure points started */
    unsigned long out_of_time; /* the first allocation not tried for want of time; 0: none */
    double spent_seconds;      /* what the tried ones took, of `spent_of` */
    bool spent_processor_time; /* the processor limit was the one reached */
} fault_each_state;
static fault_each_state each;

/* Shared with every child: mapped once, written by the normal run. */
static kept_by_normal_run *kept;

/* Where run_code() returns to: the first frame that is not the code's. */
static uintptr_t below_the_code;

/* The normal run and the counted one call the code from here, so that
 * their stacks differ only below it (run_code's caller).  Not a tail
 * call: run_code's frame must be on every stack. */
__attribute__((noinline)) static void run_code(void (*code)(void)) {
    below_the_code = (uintptr_t)__builtin_return_address(0);
    code();
    __asm__ volatile("" ::: "memory");
}

/* A site's stack, the code's frames only, hashed. */
static uint64_t frames_hash(uint32_t stack_id) {
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth = hb_stacks_frames(stack_id, frames);
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < depth && frames[i] != below_the_code; i++)
        hash = (hash ^ frames[i]) * UINT64_C(0x100000001b3);
    return hash;
}

static kept_site *kept_at(uint64_t hash) {
    for (size_t i = 0; kept != NULL && i < kept->count; i++)
        if (kept->sites[i].frames_hash == hash)
            return &kept->sites[i];
    return NULL;
}

/* Counts a block the normal run left reachable at its site. */
static void keep_site(const hb_block *block, void *arg) {
    (void)arg;
    uint64_t hash = frames_hash(block->stack_id);
    kept_site *site = kept_at(hash);
    if (site == NULL && kept->count < MAX_KEPT_SITES) {
        site = &kept->sites[kept->count++];
        *site = (kept_site){.frames_hash = hash};
    }
    if (site != NULL) {
        site->bytes += block->size;
        site->blocks++;
    }
}

/* Runs `code` to its end in a child, unhindered, and keeps the sites of
 * what it left reachable (none if it failed: then every live block of a
 * failure point is its leak).  Its output is not the test's: the run that
 * counts prints it. */
static void run_normally_first(void (*code)(void)) {
    if (kept == NULL) {
        void *page = hb_sys_mmap(NULL, sizeof *kept, PROT_READ | PROT_WRITE,
                                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        kept = page == MAP_FAILED ? NULL : page;
    }
    if (kept == NULL)
        return;
    kept->count = 0;
    int from_child;
    pid_t child = hb_isolate_fork_part(&from_child);
    if (child == 0) {
        /* Read-only (the process may open nothing to write, read_only.c):
         * what the code prints fails to be written, and is lost. */
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        hb_scope *scope = hb_scope_begin(HB_SCOPE_STACKS);
        run_code(code);
        hb_scope_end(scope);
        hb_reachable_from_globals(scope, keep_site, NULL);
        hb_isolate_part_done(0, "");
    }
    if (child < 0)
        return;
    hb_guard_enter();
    hb_text report = {0};
    if (hb_isolate_wait_part(child, from_child, &report) != 0)
        kept->count = 0;
    hb_text_free(&report);
    hb_guard_leave();
}

bool hb_fault_fail_in(const char *function) {
    enum { MAX_FUNCTIONS = 16 }; /* of one name: a static one per file */
    hb_code_range ranges[MAX_FUNCTIONS];
    size_t found = hb_symbols_ranges(function, ranges, MAX_FUNCTIONS);
    hb_fault_fail_in_ranges(ranges, found);
    return found > 0;
}

static double seconds_since(const struct timespec *start, clockid_t clock) {
    struct timespec now;
    clock_gettime(clock, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Has trying failure points used its share of the test's time?  Processor
 * time is the test process's own since it began (forking is its work, as
 * the limit counts it); real time, since the failure points began. */
static bool out_of_time(void) {
    if (!each.timed)
        return false;
    static const struct timespec process_start = {0, 0};
    double processor = seconds_since(&process_start, CLOCK_PROCESS_CPUTIME_ID);
    double wall = seconds_since(&each.started, CLOCK_MONOTONIC);
    double share = TIME_BUDGET_PERCENT / 100.0;
    each.spent_processor_time =
        each.limit.processor_ms > 0 && processor > share * each.limit.processor_ms / 1000.0;
    each.spent_seconds = each.spent_processor_time ? processor : wall;
    return each.spent_processor_time || wall > share * each.limit.wall_seconds;
}

/* The core asks at each allocation (hb_fault_fail_each). */
static bool fail_in_a_child(unsigned long n) {
    if (each.in_child || each.found_count == MAX_REPORTED || each.out_of_time != 0)
        return false;
    if (out_of_time()) {
        each.out_of_time = n;
        return false;
    }
    int from_child;
    pid_t child = hb_isolate_fork_part(&from_child);
    if (child == 0) {
        each.in_child = true;
        each.failing = n;
        /* The quarantine stays on: a block freed too early on the error
         * path (released before the copy that failed) reads as poison, and
         * the code's own assertions see it. */
        char note[200];
        snprintf(note, sizeof note, "while allocation %lu in %s was made to fail", n, each.name);
        hb_context_set_fault(note);
        return true;
    }
    if (child < 0)
        return false;
    hb_guard_enter(); /* the report's text is the harness's */
    hb_text report = {0};
    unsigned failures = hb_isolate_wait_part(child, from_child, &report);
    /* An assertion the child failed sets no bit of its own: its report
     * says it. */
    if (failures != 0 || report.length > 0)
        each.found[each.found_count++] = (failure_point){n, failures, report};
    else
        hb_text_free(&report);
    hb_guard_leave();
    return false;
}

/* In the child, the code run to its end: what it leaked, and the
 * assertions it failed itself. */
_Noreturn static void finish_in_child(CU_pFailureRecord before) {
    hb_fault_off();
    hb_scope_end(each.scope);
    hb_usage usage = hb_scope_usage(each.scope);
    unsigned failures = 0;
    hb_text report = {0};
    /* Live beyond what the normal run keeps, site by site. */
    hb_site live[MAX_KEPT_SITES];
    size_t total = hb_scope_sites(each.scope, HB_SITES_LIVE, live, MAX_KEPT_SITES), leaked = 0;
    size_t read = total < MAX_KEPT_SITES ? total : MAX_KEPT_SITES;
    uint64_t bytes = usage.live_bytes, blocks = usage.live_blocks;
    for (size_t i = 0; i < read; i++) {
        const kept_site *k = kept_at(frames_hash(live[i].stack_id));
        uint64_t kept_blocks = k ? k->blocks : 0, kept_bytes = k ? k->bytes : 0;
        uint64_t over_blocks = live[i].blocks > kept_blocks ? live[i].blocks - kept_blocks : 0;
        uint64_t over_bytes = live[i].bytes > kept_bytes ? live[i].bytes - kept_bytes
                              : live[i].blocks == 0      ? 0
                                                    : live[i].bytes * over_blocks / live[i].blocks;
        blocks -= live[i].blocks - over_blocks;
        bytes -= live[i].bytes - over_bytes;
        if (over_blocks > 0)
            live[leaked++] = (hb_site){live[i].stack_id, over_bytes, over_blocks};
    }
    if (blocks > 0) {
        char size[HB_SIZE_TEXT];
        failures |= HB_FAILED_LEAKS;
        hb_text_printf(&report, "%s in %llu %s leaked\n", hb_size_format(bytes, size),
                       (unsigned long long)blocks, blocks == 1 ? "block was" : "blocks were");
        hb_text_printf(&report, "      the allocation made to fail:");
        hb_report_stack(&report, hb_fault_last_failed_stack(), HB_REPORT_INDENT);
        hb_text_printf(&report, "\n      where the leaked blocks were allocated:\n");
        hb_report_site_list(&report, live, leaked, leaked + (total - read), HB_SITES_LIVE);
    }
    for (CU_pFailureRecord f = before ? before->pNext : CU_get_failure_list(); f != NULL;
         f = f->pNext)
        hb_text_printf(&report, "%s%s (%s:%u)",
                       report.length ? "\n      " : "an assertion failed: ", f->strCondition,
                       f->strFileName, f->uiLineNumber);
    hb_isolate_part_done(failures, hb_text_get(&report));
}

static CU_pFailureRecord last_failure(void) {
    CU_pFailureRecord f = CU_get_failure_list();
    while (f != NULL && f->pNext != NULL)
        f = f->pNext;
    return f;
}

/* Failure points left untried for want of time: a slow test, said so. */
static unsigned report_out_of_time(const char *file, unsigned line, unsigned long total) {
    if (each.out_of_time == 0)
        return 0;
    hb_text report = {0};
    char limit[32];
    if (each.spent_processor_time)
        snprintf(limit, sizeof limit, "%.1f s of processor time", each.limit.processor_ms / 1000.0);
    else
        snprintf(limit, sizeof limit, "%u s", each.limit.wall_seconds);
    hb_text_printf(&report,
                   "%s: ran past its time limit under fault injection: %lu of its %lu "
                   "allocations, each failed in turn, took %.1f s of the test's %s, and the "
                   "other %lu were not tried\n"
                   "      each failure runs the code on from there to its end, so the time grows "
                   "with the allocations made and the blocks held when one fails: give "
                   "hb_fail_each_allocation a smaller input, or HEAPBOOK_TIMEOUT=N more time",
                   each.name, each.out_of_time - 1, total, each.spent_seconds, limit,
                   total - (each.out_of_time - 1));
    CU_assertImplementation(CU_FALSE, line, hb_text_get(&report), file, "", CU_FALSE);
    hb_text_free(&report);
    return HB_FAILED_TIMEOUT;
}

/* Each failure point found, as one failure of the test. */
static void report_found(const char *file, unsigned line, unsigned long total) {
    unsigned failures = report_out_of_time(file, line, total);
    unsigned reports = failures != 0;
    for (size_t i = 0; i < each.found_count; i++) {
        failure_point *point = &each.found[i];
        hb_text report = {0};
        hb_text_printf(&report, "%s: when allocation %lu of %lu failed, %s", each.name, point->n,
                       total, hb_text_get(&point->report));
        CU_assertImplementation(CU_FALSE, line, hb_text_get(&report), file, "", CU_FALSE);
        hb_text_free(&report);
        hb_text_free(&point->report);
        failures |= point->failures;
        /* One that only failed an assertion reads as one (results.c). */
        reports += point->failures != 0;
    }
    if (each.found_count == 0 && failures == 0) {
        CU_assertImplementation(CU_TRUE, line, "every allocation failed once", file, "", CU_FALSE);
        return;
    }
    /* The test's verdict is the runner's: these go to it as measured. */
    hb_measurement *measurement = hb_child_measurement();
    measurement->part_failures |= failures;
    measurement->part_reports += reports;
}

void hb_fail_each_allocation_at(const char *name, void (*code)(void), const char *file,
                                unsigned line) {
    const char *not_counting = hb_memcheck_not_counting();
    if (not_counting != NULL) { /* make memcheck, make valgrind: nothing can be made to fail */
        hb_memcheck_skipped("fault injection", not_counting);
        code();
        return;
    }
    each = (fault_each_state){.name = name, .timed = hb_runner_isolated()};
    if (each.timed)
        hb_time_limit_of(CU_get_current_test()->pName, &each.limit);
    clock_gettime(CLOCK_MONOTONIC, &each.started);
    CU_pFailureRecord before = last_failure();
    run_normally_first(code);
    each.scope = hb_scope_begin(HB_SCOPE_STACKS);
    hb_fault_fail_each(fail_in_a_child);
    run_code(code);
    if (each.in_child)
        finish_in_child(before);
    unsigned long total = hb_fault_allocations();
    hb_fault_off();
    hb_scope_finish(each.scope);
    report_found(file, line, total);
}
