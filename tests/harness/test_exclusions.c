/* What must not move a scope's figures: CUnit's own allocations, stdio,
 * and the compiler's optimiser. */
#define HB_SUITE_NAME "exclusions"
#include "measure.h"

#include <CUnit/TestDB.h>
#include <dlfcn.h>
#include <iconv.h>
#include <locale.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void use_cunit(void) {
    /* A registry of its own: CUnit allocates it, its suites and tests. */
    CU_pTestRegistry registry = CU_create_new_registry();
    CU_ASSERT_PTR_NOT_NULL(registry);
    CU_destroy_existing_registry(&registry);
}

HB_TEST(test_allocations_made_by_cunit_do_not_count) {
    hb_usage usage = measure(use_cunit);
    CU_ASSERT_EQUAL(usage.allocations, 0);
    CU_ASSERT_EQUAL(usage.peak_bytes, 0);
}

static void print_things(void) {
    printf(" [printing inside a scope: %d %s %.3f]", 42, "text", 2.5);
    fflush(stdout);
}

/* The runner gives stdout a static buffer, so printf never allocates one,
 * whether stdout is a terminal or a pipe (tests/check.sh runs both). */
HB_TEST(test_printf_does_not_count) {
    hb_usage usage = measure(print_things);
    CU_ASSERT_EQUAL(usage.allocations, 0);
}

/* Compiled with the flags of measured code: -O2 would delete this pair
 * without -fno-builtin, and the scope would see nothing. */
static void allocate_and_free_unused(void) {
    char *unused = malloc(4096);
    free(unused);
    unused = calloc(1, 64);
    free(unused);
}

HB_TEST(test_the_compiler_cannot_delete_an_allocation) {
    hb_usage usage = measure(allocate_and_free_unused);
    CU_ASSERT_EQUAL(usage.allocations, 2);
    CU_ASSERT_EQUAL(usage.peak_bytes, 4096);
}

static void string_copies(void) {
    free(strdup("twelve chars"));
    free(strndup("abcdef", 3));
}

static void formatted_string(void) {
    char *text = NULL;
    CU_ASSERT(asprintf(&text, "%d", 12345) == 5);
    free(text);
}

/* libc's allocations on the caller's behalf go through the harness too. */
HB_TEST(test_libc_functions_that_allocate_are_counted) {
    hb_usage usage = measure(string_copies);
    CU_ASSERT_EQUAL(usage.allocations, 2);
    CU_ASSERT_EQUAL(usage.total_bytes, 13 + 4);
    usage = measure(formatted_string); /* glibc: a buffer, then shrinks it */
    CU_ASSERT(usage.allocations >= 1);
    CU_ASSERT_EQUAL(usage.frees, usage.allocations);
}

/* glibc's own caches and a thread's start are not the code's leaks: the
 * list in harness/runner/main.c (docs/harness.md, "What is not counted"),
 * like valgrind's suppressions.  Each case below must measure no leak. */
static void *thread_body(void *unused) { return unused; }

static void start_and_join_a_thread(void) {
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, thread_body, NULL), 0);
    CU_ASSERT_EQUAL(pthread_join(thread, NULL), 0);
}

static void convert_with_iconv(void) {
    iconv_t converter = iconv_open("UTF-16LE", "UTF-8");
    CU_ASSERT_NOT_EQUAL_FATAL(converter, (iconv_t)-1);
    char text[] = "heap", converted[16];
    char *in = text, *out = converted;
    size_t in_left = 4, out_left = sizeof converted;
    CU_ASSERT_NOT_EQUAL(iconv(converter, &in, &in_left, &out, &out_left), (size_t)-1);
    CU_ASSERT_EQUAL(iconv_close(converter), 0);
}

static void change_locale(void) {
    CU_ASSERT_PTR_NOT_NULL(setlocale(LC_ALL, "C.UTF-8"));
    CU_ASSERT_PTR_NOT_NULL(setlocale(LC_ALL, "C"));
}

static void read_the_time_zone(void) {
    time_t now = 1700000000;
    struct tm parts;
    CU_ASSERT_PTR_NOT_NULL(localtime_r(&now, &parts));
    CU_ASSERT_NOT_EQUAL(mktime(&parts), (time_t)-1);
}

static size_t leaked_by(void (*code)(void)) {
    hb_scope *scope = measure_with_stacks(code);
    hb_usage usage = hb_scope_usage(scope);
    hb_scope_release(scope);
    return usage.live_bytes;
}

HB_TEST(test_a_thread_started_and_joined_leaks_nothing) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_EQUAL(leaked_by(start_and_join_a_thread), 0);
}

HB_TEST(test_glibc_caches_are_not_leaks) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_EQUAL(leaked_by(convert_with_iconv), 0);
    CU_ASSERT_EQUAL(leaked_by(change_locale), 0);
    CU_ASSERT_EQUAL(leaked_by(read_the_time_zone), 0);
}

/* The user database: glibc loads its name-service modules (nss) and keeps
 * them, and a buffer for the entry, for the rest of the process. */
static void look_up_a_user(void) {
    struct passwd *root = getpwnam("root");
    CU_ASSERT_PTR_NOT_NULL(root);
    CU_ASSERT_PTR_NULL(getpwnam("heapbook-no-such-user"));
}

/* An unknown number's text is formatted into a buffer kept for the thread. */
static void describe_an_unknown_error(void) {
    CU_ASSERT_PTR_NOT_NULL(strstr(strerror(123456), "123456"));
}

/* Numeric hosts only: these tests must never reach the network.  Even
 * after freeaddrinfo, glibc keeps what it loaded to answer. */
static void resolve_a_numeric_address(void) {
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM},
                    *found = NULL;
    CU_ASSERT_EQUAL_FATAL(getaddrinfo("127.0.0.1", "80", &hints, &found), 0);
    freeaddrinfo(found);
}

/* A name from /etc/hosts ("localhost" is in every one; nss's "files"
 * answers before "dns" is asked): the name-service modules and the
 * configuration, kept. */
static void resolve_localhost(void) {
    struct addrinfo hints = {.ai_family = AF_INET, .ai_flags = AI_NUMERICSERV}, *found = NULL;
    CU_ASSERT_EQUAL_FATAL(getaddrinfo("localhost", "80", &hints, &found), 0);
    freeaddrinfo(found);
}

/* Two answers (the loopback address of each family, from no file): glibc
 * sorts them by what the kernel says of the machine's interfaces, and
 * keeps that until the next sort, from a function it does not export
 * (the runner learns its call site: main.c).  So does "localhost" where
 * /etc/hosts names it on two lines, as Docker's does. */
static void sort_two_answers(void) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
    CU_ASSERT_EQUAL_FATAL(getaddrinfo(NULL, "80", &hints, &found), 0);
    freeaddrinfo(found);
}

/* ... but the list getaddrinfo returns is the caller's to free. */
static struct addrinfo *kept_list;
static void forget_freeaddrinfo(void) {
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    CU_ASSERT_EQUAL_FATAL(getaddrinfo("127.0.0.1", "80", &hints, &kept_list), 0);
}

/* A dotted address is answered without a lookup, from a buffer glibc
 * keeps for the next call. */
static void resolve_with_gethostbyname(void) {
    struct hostent *host = gethostbyname("127.0.0.1");
    CU_ASSERT_PTR_NOT_NULL(host);
}

/* The text of a failed dlopen is kept for the thread until the next. */
static void fail_to_load_a_library(void) {
    CU_ASSERT_PTR_NULL(dlopen("/nonexistent/heapbook-no-such-library.so", RTLD_NOW));
    CU_ASSERT_PTR_NOT_NULL(dlerror());
}

/* One test each: each runs in a process of its own, so each makes the
 * first call, the one that fills the cache. */
HB_TEST(test_getpwnam_keeps_no_leak) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_EQUAL(leaked_by(look_up_a_user), 0);
}

HB_TEST(test_strerror_of_an_unknown_number_keeps_no_leak) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_EQUAL(leaked_by(describe_an_unknown_error), 0);
}

HB_TEST(test_getaddrinfo_keeps_no_leak) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_EQUAL(leaked_by(resolve_a_numeric_address), 0);
    CU_ASSERT_EQUAL(leaked_by(resolve_localhost), 0);
    CU_ASSERT_EQUAL(leaked_by(sort_two_answers), 0);
}

HB_TEST(test_gethostbyname_keeps_no_leak) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_EQUAL(leaked_by(resolve_with_gethostbyname), 0);
}

HB_TEST(test_dlerror_after_a_failed_dlopen_keeps_no_leak) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_EQUAL(leaked_by(fail_to_load_a_library), 0);
}

HB_TEST(test_a_list_from_getaddrinfo_never_freed_is_a_leak) {
    HB_REQUIRE_COUNTING();
    CU_ASSERT_NOT_EQUAL(leaked_by(forget_freeaddrinfo), 0);
    freeaddrinfo(kept_list);
}
