/* death.c: how a test's process that did not finish died, in words
 * (isolate.h): a crash, a stack overflow, a time limit, exit(), a memory
 * error, or a report the runner could not read.  The parent writes them,
 * from the wait status the kernel gave and the raw frames the child sent. */
#include "isolate.h"

#include <CUnit/CUnit.h>
#include <ctype.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

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

unsigned hb_death_describe(int status, bool killed_by_parent, const hb_last_words *words,
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
        /* read_only.c's trap: nothing else in a test's process raises it */
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
