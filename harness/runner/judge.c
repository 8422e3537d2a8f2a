/* judge.c: the verdicts the runner makes on how a process of a test
 * ended, from what the kernel and the process told it (isolate.h): how a
 * test's process that did not finish died, in words, and whether each
 * failure point of a fault injection passed.  Both are made where no
 * exercise code runs, and both read a death the same way: a fault
 * injection's part that dies is described as a test's process is.
 *
 * Called by parent.c (the test's process, and the parts it reads) and, when
 * tests are not isolated, by child.c; calls nothing of theirs. */
#include "isolate.h"

#include <CUnit/CUnit.h>
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* ---- deaths: how a test's process that did not finish died, in words: a
 * crash, a stack overflow, a time limit, exit(), a memory error, or a
 * report the runner could not read.  The parent writes them, from the wait
 * status the kernel gave and the raw frames the child sent. */

static unsigned failure_of(enum hb_memory_error_kind kind) {
    switch (kind) {
    case HB_OVERFLOW:
        return HB_FAILED_OVERFLOW;
    case HB_WRITE_AFTER_FREE:
        return HB_FAILED_USE_AFTER_FREE;
    case HB_HIDDEN_MEMORY:
        return HB_FAILED_HIDDEN_MEMORY;
    case HB_BAD_FREE:
        break;
    }
    return HB_FAILED_CRASH;
}

/* The frames after the call to exit() itself, or all of them. */
static size_t frames_after_exit(const hb_last_words *words) {
    for (size_t i = 0; i < words->depth; i++) {
        hb_location location;
        hb_symbolize(words->frames[i], true, &location);
        if (strcmp(location.function, "exit") == 0)
            return i + 1;
    }
    return 0;
}

/* The harness finds a write past the end or after a free later, when it
 * checks; AddressSanitizer stops at the write itself.  An exercise's suite
 * is named after its folder ("01-fibonacci"): the command names it. */
static void suggest_memcheck(hb_text *report, const hb_test_def *def) {
    const char *suite = def->suite ? def->suite : "";
    bool exercise = strlen(suite) > 3 && isdigit((unsigned char)suite[0]) &&
                    isdigit((unsigned char)suite[1]) && suite[2] == '-';
    hb_text_printf(report, "\n      next: make memcheck%s%.2s shows the line that wrote them",
                   exercise ? " EX=" : "", exercise ? suite : "");
}

static void describe_overflow(const hb_last_words *words, hb_text *report) {
    hb_location innermost;
    hb_symbolize(words->frames[0], false, &innermost);
    char line[HB_FUNCTION_NAME + HB_FILE_NAME + 16];
    hb_location_format(&innermost, line, sizeof line);
    hb_text_printf(report, "stack overflow in %s: a local array too big, or endless recursion?",
                   line);
    if (words->depth > 1) {
        hb_text_printf(report, "\n      called from:");
        hb_report_frames(report, words->frames + 1, words->depth - 1, false, HB_REPORT_INDENT);
    }
}

/* How the process died (its wait status; `killed_by_parent` at its
 * deadline), where, and why that is a failure: appends the text and
 * returns the hb_failure bits. */
static unsigned hb_death_describe(int status, bool killed_by_parent, const hb_last_words *words,
                                  const hb_time_limit *limit, hb_text *report) {
    hb_text stack = {0};
    unsigned failure;
    bool exited = !WIFSIGNALED(status) && !killed_by_parent;
    size_t first =
        exited ? frames_after_exit(words) : hb_memcheck_runtime_frames(words->frames, words->depth);
    if (words->depth > first)
        hb_report_frames(&stack, words->frames + first, words->depth - first, !exited && first == 0,
                         HB_REPORT_INDENT);
    else
        hb_text_printf(&stack, " (no stack: the process died before it could tell)");
    const char *where = hb_text_get(&stack);
    if (words->malformed != NULL) {
        /* Not the harness's: the code under test wrote into the channel. */
        failure = HB_FAILED_CRASH;
        hb_text_printf(report,
                       "the test's process sent the runner a report it cannot read (%s), and "
                       "was stopped: the code under test wrote where only the harness writes",
                       words->malformed);
    } else if (words->misuse) {
        failure = failure_of(words->misuse_kind);
        hb_text_printf(report, "%s", words->misuse);
    } else if (words->stack_overflow && words->depth > 0) {
        failure = HB_FAILED_CRASH;
        describe_overflow(words, report);
    } else if (killed_by_parent || (WIFSIGNALED(status) &&
                                    (WTERMSIG(status) == SIGALRM || WTERMSIG(status) == SIGPROF))) {
        failure = HB_FAILED_TIMEOUT;
        bool processor = !killed_by_parent && WTERMSIG(status) == SIGPROF;
        hb_time_limit_report(limit, processor, where, report);
    } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
        /* sandbox.c's trap: nothing else in a test's process raises it */
        failure = HB_FAILED_CRASH;
        hb_text_printf(report,
                       "opened a file to write, which a test's process may not do: it may only "
                       "read files, so that nothing it runs can write into the runner's report, "
                       "the results or the harness's memory (docs/harness.md, \"Files a test "
                       "may open\"); at:%s",
                       where);
    } else if (WIFSIGNALED(status)) {
        int signal = WTERMSIG(status);
        failure = HB_FAILED_CRASH;
        if (first > 0) /* the sanitizer's abort(), its report above: where it was called */
            hb_text_printf(report, "stopped by the sanitizer (SIG%s) at:%s", sigabbrev_np(signal),
                           where);
        else
            hb_text_printf(report, "crashed: SIG%s (%s) at:%s", sigabbrev_np(signal),
                           strsignal(signal), where);
    } else {
        failure = HB_FAILED_EXIT;
        hb_text_printf(report,
                       "the code under test ended the test process: exit(%d) called from:%s",
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1, where);
    }
    if (words->note != NULL && words->note[0] != '\0')
        hb_text_printf(report, "\n      (%s)", words->note);
    hb_text_free(&stack);
    return failure;
}

void hb_death_report(const hb_test_def *def, int status, bool killed_by_parent,
                     const hb_last_words *words, const hb_time_limit *limit) {
    hb_text report = {0};
    hb_text_printf(&report, "%s: ", def->name);
    unsigned failure = hb_death_describe(status, killed_by_parent, words, limit, &report);
    if (failure & (HB_FAILED_OVERFLOW | HB_FAILED_USE_AFTER_FREE))
        suggest_memcheck(&report, def);
    /* What the test measured before it died stays. */
    const hb_result *before = hb_results_find(def->name);
    hb_result result = before ? *before : (hb_result){.test = def->name};
    result.failures |= failure;
    result.reports++;
    hb_results_record(&result);
    CU_assertImplementation(CU_FALSE, def->line, hb_text_get(&report), def->file, "", CU_FALSE);
    hb_text_free(&report);
}

/* ---- the fault injection's judge: the verdict on each failure point of a
 * fault injection (isolate.h; fault_each.c makes the points).
 *
 * It runs where no exercise code does: in the runner's process, from the
 * messages of the test's process and of its parts (parent.c decodes and
 * checks them first), or, when tests are not isolated (HEAPBOOK_FORK=0),
 * in the one process there is.  A part tells only what it saw: the
 * assertions it failed, how it died, what it left live, site by site,
 * with raw frames; the normal run, what its globals reach.  Here, and only
 * here, a part's figures are compared with the normal run's, a death
 * becomes a failure, and the messages are written: so nothing the code
 * under test does in its process (a verdict flag overwritten, a failure
 * list emptied) can make a failure point pass. */

/* After this many failure points the rest would only repeat them. */
enum { MAX_REPORTED = 3 };

/* A site the normal run left reachable blocks at: the code's frames of its
 * stack (those above the part's below_the_code), hashed. */
typedef struct kept_site {
    uint64_t frames_hash;
    uint64_t bytes, blocks;
} kept_site;

typedef struct found_point {
    uint64_t allocation;
    unsigned failures; /* hb_failure bits; an assertion alone sets none */
    hb_text report;
} found_point;

/* The module's state: one fault injection at a time. */
static struct {
    bool open;     /* between FAULT_BEGIN and FAULT_END */
    bool in_part;  /* between PART_BEGIN and PART_END */
    bool reported; /* the running part sent its figures */
    char name[HB_FUNCTION_NAME], file[HB_FILE_NAME];
    unsigned line;
    uint64_t part; /* the allocation the running part fails; 0: the normal run */
    hb_last_words words;
    hb_text assertions; /* the running part's failed assertions, in words */
    hb_part_figures figures;
    size_t kept_count;
    kept_site kept[HB_WIRE_PART_SITES];
    found_point found[MAX_REPORTED];
    size_t found_count;
    uint64_t parts_seen;                  /* failure points started, the normal run not counted */
    unsigned test_failures, test_reports; /* the test's, until taken */
} judge;

static uint64_t frames_hash(const hb_raw_site *site, uint64_t below_the_code) {
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < site->depth && site->frames[i] != below_the_code; i++)
        hash = (hash ^ site->frames[i]) * UINT64_C(0x100000001b3);
    return hash;
}

static kept_site *kept_at(uint64_t hash) {
    for (size_t i = 0; i < judge.kept_count; i++)
        if (judge.kept[i].frames_hash == hash)
            return &judge.kept[i];
    return NULL;
}

static void forget_part(void) {
    free(judge.words.misuse);
    free(judge.words.note);
    judge.words = (hb_last_words){0};
    hb_text_free(&judge.assertions);
    judge.in_part = judge.reported = false;
}

static void forget_found(void) {
    for (size_t i = 0; i < judge.found_count; i++)
        hb_text_free(&judge.found[i].report);
    judge.found_count = 0;
}

void hb_fault_judge_reset(void) {
    forget_part();
    forget_found();
    judge.open = false;
    judge.test_failures = judge.test_reports = 0;
}

void hb_fault_judge_begin(const char *name, const char *file, unsigned line) {
    forget_part();
    forget_found();
    judge.open = true;
    snprintf(judge.name, sizeof judge.name, "%s", name);
    snprintf(judge.file, sizeof judge.file, "%s", file);
    judge.line = line;
    judge.kept_count = 0;
    judge.parts_seen = 0;
}

const char *hb_fault_judge_out_of_place(const hb_message *m) {
    switch (m->kind) {
    case HB_MSG_FAULT_BEGIN:
        return judge.open ? "a fault injection inside another" : NULL;
    case HB_MSG_PART_BEGIN:
        return !judge.open || judge.in_part ? "a failure point outside a fault injection" : NULL;
    case HB_MSG_PART:
        return !judge.in_part || judge.reported || m->part->allocation != judge.part
                   ? "a failure point's figures out of place"
                   : NULL;
    case HB_MSG_PART_END:
        return !judge.in_part || m->number != judge.part ? "a failure point's end out of place"
                                                         : NULL;
    case HB_MSG_FAULT_END:
        if (!judge.open || judge.in_part)
            return "a fault injection's end out of place";
        return m->fault_end.tried != judge.parts_seen
                   ? "a fault injection's count of failure points that differs from its parts"
                   : NULL;
    case HB_MSG_PASSES:
    case HB_MSG_MEASURED:
    case HB_MSG_DONE:
    case HB_MSG_BODY_START:
        /* A fatal assertion in the code may leave a fault injection
         * unended: the test has failed, and its points are not reported. */
        return judge.in_part ? "the test's end inside a failure point" : NULL;
    case HB_MSG_FAILURE:
    case HB_MSG_SIGNAL:
    case HB_MSG_OVERFLOW:
    case HB_MSG_EXIT:
    case HB_MSG_MISUSE:
    case HB_MSG_NOTE:
        break;
    }
    return NULL;
}

bool hb_fault_judge_in_part(void) { return judge.in_part; }

bool hb_fault_judge_awaits_part(void) { return judge.open && !judge.in_part; }

hb_last_words *hb_fault_judge_words(void) { return &judge.words; }

hb_part_figures *hb_fault_judge_figures(void) { return &judge.figures; }

void hb_fault_judge_part_begin(uint64_t allocation) {
    forget_part();
    judge.in_part = true;
    judge.part = allocation;
    judge.parts_seen += allocation != 0;
}

void hb_fault_judge_part_failure(const char *file, unsigned line, const char *condition) {
    hb_text_printf(&judge.assertions, "%s%s (%s:%u)",
                   judge.assertions.length ? "\n      " : "an assertion failed: ", condition, file,
                   line);
}

void hb_fault_judge_part_figures(void) { judge.reported = true; }

/* The normal run's figures: the sites it leaves reachable, merged by the
 * code's frames. */
static void keep_normal_run(void) {
    judge.kept_count = 0;
    for (uint32_t i = 0; judge.reported && i < judge.figures.count; i++) {
        const hb_raw_site *site = &judge.figures.site[i];
        uint64_t hash = frames_hash(site, judge.figures.below_the_code);
        kept_site *kept = kept_at(hash);
        if (kept == NULL && judge.kept_count < HB_WIRE_PART_SITES) {
            kept = &judge.kept[judge.kept_count++];
            *kept = (kept_site){.frames_hash = hash};
        }
        if (kept != NULL) {
            kept->bytes += site->bytes;
            kept->blocks += site->blocks;
        }
    }
}

/* What a failure point left live beyond what the normal run keeps, site by
 * site; a site the part could not send counts whole. */
static unsigned judge_leak(const hb_part_figures *f, hb_text *report) {
    hb_site_stack leaked[HB_WIRE_PART_SITES];
    size_t leaked_count = 0;
    uint64_t bytes = f->live_bytes, blocks = f->live_blocks;
    for (uint32_t i = 0; i < f->count; i++) {
        const hb_raw_site *site = &f->site[i];
        const kept_site *k = kept_at(frames_hash(site, f->below_the_code));
        uint64_t kept_blocks = k ? k->blocks : 0, kept_bytes = k ? k->bytes : 0;
        uint64_t over_blocks = site->blocks > kept_blocks ? site->blocks - kept_blocks : 0;
        uint64_t over_bytes = site->bytes > kept_bytes ? site->bytes - kept_bytes
                              : site->blocks == 0      ? 0
                                                       : site->bytes * over_blocks / site->blocks;
        blocks -= site->blocks - over_blocks;
        bytes -= site->bytes - over_bytes;
        if (over_blocks > 0)
            leaked[leaked_count++] = (hb_site_stack){.bytes = over_bytes,
                                                     .blocks = over_blocks,
                                                     .frames = site->frames,
                                                     .depth = site->depth};
    }
    if (blocks == 0)
        return 0;
    char size[HB_SIZE_TEXT];
    hb_text_printf(report, "%s in %llu %s leaked\n", hb_size_format(bytes, size),
                   (unsigned long long)blocks, blocks == 1 ? "block was" : "blocks were");
    hb_text_printf(report, "      the allocation made to fail:");
    hb_report_frames(report, f->failed_frames, f->failed_depth, false, HB_REPORT_INDENT);
    hb_text_printf(report, "\n      where the leaked blocks were allocated:\n");
    hb_report_site_stacks(report, leaked, leaked_count, leaked_count + (f->total_sites - f->count),
                          HB_SITES_LIVE);
    return HB_FAILED_LEAKS;
}

bool hb_fault_judge_part_end(uint64_t allocation, int status, const hb_time_limit *limit) {
    (void)allocation; /* checked against the part's: hb_fault_judge_out_of_place */
    if (judge.part == 0) {
        /* The normal run: what it keeps, if it ran to its end; else every
         * block a failure point leaves is its leak. */
        keep_normal_run();
        forget_part();
        return true;
    }
    hb_text report = {0};
    unsigned failures = 0;
    if (judge.reported) {
        failures = judge_leak(&judge.figures, &report);
        if (judge.assertions.length > 0)
            hb_text_printf(&report, "%s%s", report.length ? "\n      " : "",
                           hb_text_get(&judge.assertions));
    } else {
        failures = hb_death_describe(status, false, &judge.words, limit, &report);
        if (judge.assertions.length > 0)
            hb_text_printf(&report, "\n      %s", hb_text_get(&judge.assertions));
    }
    /* Past MAX_REPORTED the test's process was told to stop: one that
     * goes on is not heard. */
    if ((failures != 0 || report.length > 0) && judge.found_count < MAX_REPORTED)
        judge.found[judge.found_count++] =
            (found_point){.allocation = judge.part, .failures = failures, .report = report};
    else
        hb_text_free(&report);
    forget_part();
    return judge.found_count < MAX_REPORTED;
}

/* Failure points left untried for want of time: a slow test, said so. */
static unsigned report_out_of_time(const hb_fault_end *end, const hb_time_limit *limit) {
    if (end->untried_from == 0)
        return 0;
    hb_text report = {0};
    char budget[32];
    if (end->processor)
        snprintf(budget, sizeof budget, "%.1f s of processor time", limit->processor_ms / 1000.0);
    else
        snprintf(budget, sizeof budget, "%u s", limit->wall_seconds);
    hb_text_printf(&report,
                   "%s: ran past its time limit under fault injection: %llu of its %llu "
                   "allocations were made to fail, each in turn, in %.1f s of the test's %s, and "
                   "the last %llu were not tried\n"
                   "      each failure runs the code on from there to its end, so the time grows "
                   "with the allocations made and the blocks held when one fails: give "
                   "hb_fail_each_allocation a smaller input, or HEAPBOOK_TIMEOUT=N more time",
                   judge.name, (unsigned long long)end->tried, (unsigned long long)end->allocations,
                   (double)end->spent_us / 1e6, budget,
                   (unsigned long long)(end->allocations - (end->untried_from - 1)));
    CU_assertImplementation(CU_FALSE, judge.line, hb_text_get(&report), judge.file, "", CU_FALSE);
    hb_text_free(&report);
    return HB_FAILED_TIMEOUT;
}

void hb_fault_judge_end(const hb_fault_end *end, const hb_time_limit *limit) {
    unsigned failures = report_out_of_time(end, limit);
    unsigned reports = failures != 0;
    for (size_t i = 0; i < judge.found_count; i++) {
        found_point *point = &judge.found[i];
        hb_text report = {0};
        hb_text_printf(&report, "%s: when allocation %llu of %llu failed, %s", judge.name,
                       (unsigned long long)point->allocation, (unsigned long long)end->allocations,
                       hb_text_get(&point->report));
        CU_assertImplementation(CU_FALSE, judge.line, hb_text_get(&report), judge.file, "",
                                CU_FALSE);
        hb_text_free(&report);
        failures |= point->failures;
        /* One that only failed an assertion reads as one (results.c). */
        reports += point->failures != 0;
    }
    if (judge.found_count == 0 && failures == 0)
        CU_assertImplementation(CU_TRUE, judge.line, "every failure point passed", judge.file, "",
                                CU_FALSE);
    forget_found();
    judge.open = false;
    judge.test_failures |= failures;
    judge.test_reports += reports;
}

void hb_fault_judge_take(hb_measurement *measurement) {
    measurement->part_failures = judge.test_failures;
    measurement->part_reports = judge.test_reports;
    hb_fault_judge_reset();
}
