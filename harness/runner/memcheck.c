/* memcheck.c: the harness when another tool owns malloc (runner.h:
 * Memory-error tools). */
#include "runner.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if HB_SANITIZED
#include <sanitizer/asan_interface.h> /* __asan_default_options, defined here */
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#endif

const char *hb_memcheck_not_counting(void) {
#if HB_SANITIZED
    return "AddressSanitizer replaces malloc in this build";
#else
    /* If the harness's malloc serves this call the block has the harness's
     * header (every block has one, so that its free can be matched), but
     * under the guard it counts in no scope.  valgrind's malloc writes none. */
    hb_guard_enter();
    void *probe = malloc(1);
    hb_block block;
    bool ours = probe != NULL && hb_blocks_find((uintptr_t)probe, &block);
    free(probe);
    hb_guard_leave();
    if (ours || probe == NULL) /* out of memory: no telling; assume the usual */
        return NULL;
    /* valgrind runs its client with its own malloc preloaded. */
    const char *preload = getenv("LD_PRELOAD");
    if (preload != NULL && strstr(preload, "vgpreload") != NULL)
        return "valgrind replaces malloc in this run";
    return "malloc is not the harness's in this process";
#endif
}

void hb_memcheck_skipped(const char *what, const char *why) {
    printf("[skipped %s: %s]%s", what, why, hb_gtest_requested() ? "\n" : " ");
    fflush(stdout); /* a test's process ends with _exit(), which flushes nothing */
}

/* Where a sanitizer's summary of an error goes (child.c's), or NULL. */
static void (*error_note)(const char *text);

void hb_memcheck_notes_to(void (*note)(const char *text)) { error_note = note; }

#if !HB_SANITIZED

unsigned hb_memcheck_run(void (*body)(void), const char *test, const char *file, unsigned line) {
    (void)test;
    (void)file;
    (void)line;
    body();
    return 0;
}

size_t hb_memcheck_runtime_frames(const uintptr_t *frames, size_t depth) {
    (void)frames;
    (void)depth;
    return 0;
}

#else

/* The sanitizers read these before main(), before any constructor; the
 * environment's ASAN_OPTIONS and UBSAN_OPTIONS are applied after them.
 *   abort_on_error: die by SIGABRT, which the harness reports as a crash with
 *     a stack, instead of a bare _exit(1) it could only call an exit() (UBSan
 *     reads its own copy of this flag);
 *   print_legend=0: no key to the shadow bytes after every report, twenty
 *     lines that say the same each time (docs/memcheck.md explains them);
 *   allocator_may_return_null: malloc(huge) and calloc overflows return NULL
 *     as C says, for the tests that check that, instead of an ASan error;
 *   detect_stack_use_after_return: a pointer to a returned function's local
 *     variable is caught when used, a classic of C memory errors;
 *   halt_on_error, print_stacktrace: undefined behaviour stops the test and
 *     says where it came from (the build also passes
 *     -fno-sanitize-recover=undefined, so it stops whatever UBSAN_OPTIONS
 *     says); print_summary, report_error_type: its one-line summary names
 *     the kind of error ("signed-integer-overflow"), for the crash's note. */
HB_API const char *__asan_default_options(void) {
    return "abort_on_error=1:detect_leaks=1:allocator_may_return_null=1:"
           "detect_stack_use_after_return=1:print_legend=0";
}

const char *__ubsan_default_options(void); /* no sanitizer header declares it */
HB_API const char *__ubsan_default_options(void) {
    return "abort_on_error=1:halt_on_error=1:print_stacktrace=1:print_summary=1:"
           "report_error_type=1";
}

/* Each test runs in a child process that ends with _exit(); the process
 * that started them is the one whose exit LeakSanitizer checks. */
static pid_t main_process;

__attribute__((constructor)) static void remember_main_process(void) { main_process = getpid(); }

static volatile sig_atomic_t checking_leaks;
static char leak_summary[256];

static void write_stderr(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t n = write(STDERR_FILENO, text, length);
        if (n <= 0)
            return;
        text += n;
        length -= (size_t)n;
    }
}

/* The sanitizer's own code: its runtime, and the interceptors through
 * which it stands in for malloc, free, memcpy ... */
static bool is_sanitizer_function(const char *name) {
    static const char *const prefixes[] = {"__asan",      "__ubsan",         "__lsan",
                                           "__sanitizer", "_ZN6__asan",      "_ZN7__ubsan",
                                           "_ZN6__lsan",  "_ZN11__sanitizer"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return strstr(name, "__interceptor_") != NULL;
}

size_t hb_memcheck_runtime_frames(const uintptr_t *frames, size_t depth) {
    size_t runtime = 0;
    for (size_t i = 0; i < depth; i++) {
        hb_location location;
        hb_symbolize(frames[i], i > 0, &location);
        if (is_sanitizer_function(location.function))
            runtime = i + 1;
    }
    return runtime;
}

/* A function of the sanitizer's, or one of the allocation functions it
 * replaces (Clang links them into the binary under their own names). */
static bool stands_in_for_malloc(const char *name) {
    static const char *const replaced[] = {"malloc",         "calloc",   "realloc",
                                           "reallocarray",   "free",     "aligned_alloc",
                                           "posix_memalign", "memalign", "valloc"};
    for (size_t i = 0; i < sizeof replaced / sizeof replaced[0]; i++)
        if (strcmp(name, replaced[i]) == 0)
            return true;
    return is_sanitizer_function(name);
}

/* "SUMMARY: AddressSanitizer: heap-use-after-free f.c:12 in g" ->
 * "AddressSanitizer: heap-use-after-free f.c:12 in g", into `out`; UBSan
 * leaves the function out, and its " in " is dropped too.  A place inside
 * the sanitizer ("double-free asan_malloc_linux.cpp:52 in
 * __interceptor_free", Clang's "double-free (tests+0xbc6a2) in free") is
 * no place to look: only the kind is kept.  The place as the harness
 * writes it: Clang's "./f.c:12:7" is "f.c:12". */
static void drop_column(char *place) {
    char *end = strstr(place, " in ");
    if (end == NULL)
        end = place + strlen(place);
    char *digits = end;
    while (digits > place && isdigit((unsigned char)digits[-1]))
        digits--;
    char *column = digits - 1; /* the ':' of ":7", if it is one */
    if (digits == end || column <= place || *column != ':')
        return;
    digits = column;
    while (digits > place && isdigit((unsigned char)digits[-1]))
        digits--;
    if (digits != column && digits > place && digits[-1] == ':') /* ":12:7" */
        memmove(column, end, strlen(end) + 1);
}

static const char *tidy_summary(const char *summary, char *out, size_t size) {
    static const char prefix[] = "SUMMARY: ";
    if (strncmp(summary, prefix, sizeof prefix - 1) == 0)
        summary += sizeof prefix - 1;
    snprintf(out, size, "%s", summary);
    size_t length = strlen(out);
    while (length > 0 && out[length - 1] == ' ')
        out[--length] = '\0';
    if (length >= 3 && strcmp(out + length - 3, " in") == 0)
        out[length - 3] = '\0';
    char *kind = strchr(out, ' ');
    char *place = kind ? strchr(kind + 1, ' ') : NULL;
    const char *in = place ? strstr(place, " in ") : NULL;
    if (place != NULL && (strstr(place, "sanitizer/") || (in && stands_in_for_malloc(in + 4))))
        *place = '\0';
    else if (place != NULL) {
        if (strncmp(place, " ./", 3) == 0)
            memmove(place + 1, place + 3, strlen(place + 3) + 1);
        drop_column(place);
    }
    return out;
}

/* Every sanitizer calls this with the last line of each report (it replaces
 * the runtime's own, which only prints it).  After an error the sanitizer
 * aborts the test's process: the line goes to the parent as a note on the
 * crash it is about to report. */
HB_API void __sanitizer_report_error_summary(const char *summary) {
    write_stderr(summary);
    write_stderr("\n");
    if (checking_leaks) {
        tidy_summary(summary, leak_summary, sizeof leak_summary);
        return;
    }
    char tidy[400], note[512];
    snprintf(note, sizeof note, "%s; the sanitizer's report is above",
             tidy_summary(summary, tidy, sizeof tidy));
    if (error_note != NULL)
        error_note(note);
}

/* "AddressSanitizer: 24 byte(s) leaked in 1 allocation(s)." ->
 * "24 byte(s) leaked in 1 allocation(s)" */
static const char *leak_figures(char *summary) {
    static const char prefix[] = "AddressSanitizer: ";
    size_t length = strlen(summary);
    if (length > 0 && summary[length - 1] == '.')
        summary[length - 1] = '\0';
    return strncmp(summary, prefix, sizeof prefix - 1) == 0 ? summary + sizeof prefix - 1 : summary;
}

/* How much of the stack wipe_dead_frames() zeroes: far deeper than a
 * test's calls go, unless it recurses deeply. */
enum { DEAD_FRAMES_BYTES = 256 * 1024 };

/* The test's frames are gone but their bytes are still on the stack, and
 * LeakSanitizer scans the whole stack: a stale copy of the address of a
 * block nothing can reach any more would count as a reference, and hide the
 * leak.  Called at the depth where the test's body was, this zeroes what
 * the body left.  Not instrumented, so the array is on the real stack, not
 * on AddressSanitizer's fake stack (where detect_stack_use_after_return
 * puts frames with arrays). */
__attribute__((noinline, no_sanitize_address)) static void wipe_dead_frames(void) {
    char dead[DEAD_FRAMES_BYTES];
    explicit_bzero(dead, sizeof dead);
}

static unsigned check_leaks(const char *test, const char *file, unsigned line) {
    leak_summary[0] = '\0';
    checking_leaks = 1;
    int leaked = __lsan_do_recoverable_leak_check();
    checking_leaks = 0;
    if (!leaked)
        return 0;
    char message[512];
    snprintf(message, sizeof message,
             "%s: LeakSanitizer found %s; its report above says where each block was allocated",
             test, leak_summary[0] ? leak_figures(leak_summary) : "leaks");
    CU_assertImplementation(CU_FALSE, line, message, file, "", CU_FALSE);
    return HB_FAILED_LEAKS;
}

/* noinline: the wipe must run in a frame at the depth of body()'s. */
__attribute__((noinline)) unsigned hb_memcheck_run(void (*body)(void), const char *test,
                                                   const char *file, unsigned line) {
    body();
    if (getpid() == main_process)
        return 0;
    wipe_dead_frames();
    return check_leaks(test, file, line);
}

#endif
