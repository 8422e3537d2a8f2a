/* fault_each.c: every allocation of a piece of code made to fail in turn
 * (heapbook.h: hb_fail_each_allocation; fault injection: counting.h), in
 * the test's process; and which blocks its globals reach, which its
 * normal run keeps.
 *
 * The code runs once.  At an allocation a child process is forked (a
 * part) in which that allocation fails: the part runs the code on from
 * there to its end and reports what it saw (the assertions it failed, how
 * it died, what it left live, site by site); the test's process waits for
 * it, then lets the allocation succeed and goes on to the next one.  So
 * each failure point costs the rest of the code's run after it (short:
 * the error path), not a whole run, and an allocation made only once (a
 * cache filled on first use) is failed too.  Code that starts threads
 * does not suit it: a part keeps only the thread that forked.
 *
 * Nothing is judged here, where the code under test runs: the parts speak
 * to the judge (judge.c) in the runner's process, which compares,
 * decides and writes every message.
 *
 * What the code keeps when it succeeds, where a global reaches it (a cache
 * filled on first use), is no leak when an allocation fails either:
 * before the failure points, the code runs once to its end in a part of
 * its own, the normal run, which sends the sites (call stacks) of the
 * blocks it left live and reachable (below); the judge counts a
 * failure point's leak as what it leaves live beyond those, site by site.
 *
 * Which allocations fail.  Each failure point pays for the code's error
 * path, which frees what the code holds: code that holds every block until
 * its end frees them all at every point, so failing all N allocations
 * costs N^2/2 frees (10,000 blocks: 50 million, seconds of processor time;
 * docs/performance.md, "Fault injection").  The points are grouped by the
 * call stack of the allocation (the same line reached the same way,
 * recursion folded: a call from a function to itself at the same place
 * counts once): an allocation is failed at the first FIRST_OCCURRENCES
 * times its stack is reached (the states an error path tells apart:
 * nothing built yet, one, two, three) and then at every power of two (4,
 * 8, 16...: where a structure that grows by doubling changes shape).
 * Every distinct stack is failed, and in a loop the points tried are
 * 1, 2, 3, 4, 8, 16, ...: their error paths free at most twice the blocks
 * of one whole run, so the work grows linearly with the allocations, and
 * the number of parts with their logarithm.  The choice depends on the
 * stacks only: the same on every run. */
#include "isolate.h"

#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Calls `reached` for each live block `scope` (or one nested in it)
 * counted that the executable's globals reach, directly or through other
 * such blocks: what a leak checker calls still reachable. */
static void hb_reachable_from_globals(const hb_scope *scope,
                                      void (*reached)(const hb_block *block, void *arg), void *arg);

/* The share of the test's time limits the failure points may use: past
 * it no more are tried, and the test fails saying it was slow, before the
 * limit ends it as if it looped (the code's run must still end, and its
 * report be written). */
enum { TIME_BUDGET_PERCENT = 70 };

/* An allocation's stack is failed at its first occurrences, then at every
 * power of two; STACK_SLOTS distinct stacks are counted, and past them
 * every allocation is failed (slower, never fewer). */
enum { FIRST_OCCURRENCES = 4, STACK_SLOTS = 4096 };

typedef struct stack_count {
    uint64_t frames_hash; /* 0: a free slot */
    unsigned long seen;
} stack_count;

/* The module's state. */
typedef struct fault_each_state {
    const char *name;
    hb_scope *scope;
    bool in_child;             /* this process is a part where allocation `failing` failed */
    unsigned long failing;     /* in the part */
    bool enough;               /* the judge needs no more failure points */
    unsigned long tried;       /* failure points forked */
    bool timed;                /* the test runs under a time limit */
    hb_time_limit limit;       /* its limit */
    struct timespec started;   /* when the failure points started */
    unsigned long out_of_time; /* the first allocation not tried for want of time; 0: none */
    double spent_seconds;      /* what the tried ones took, of `spent_of` */
    bool spent_processor_time; /* the processor limit was the one reached */
    stack_count stacks[STACK_SLOTS];
} fault_each_state;
static fault_each_state each;

/* A part's figures: too big for a stack. */
static hb_part_figures figures;

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

static void put_site(uint32_t stack_id, uint64_t bytes, uint64_t blocks, hb_raw_site *site) {
    *site = (hb_raw_site){.bytes = bytes, .blocks = blocks};
    site->depth = (uint32_t)hb_stacks_frames(stack_id, site->frames);
}

/* The normal run's sites by stack id, as figures.site[] holds them. */
static uint32_t kept_stack_ids[HB_WIRE_PART_SITES];

/* Adds a block the normal run left reachable to its site's figures. */
static void keep_site(const hb_block *block, void *arg) {
    (void)arg;
    figures.live_bytes += block->size;
    figures.live_blocks++;
    uint32_t i = 0;
    while (i < figures.count && kept_stack_ids[i] != block->stack_id)
        i++;
    if (i == figures.count) {
        figures.total_sites++;
        if (figures.count == HB_WIRE_PART_SITES)
            return; /* a site not sent: its blocks count as the code's leak */
        kept_stack_ids[i] = block->stack_id;
        put_site(block->stack_id, 0, 0, &figures.site[figures.count++]);
    }
    figures.site[i].bytes += block->size;
    figures.site[i].blocks++;
}

/* Runs `code` to its end in a part, unhindered, which sends the sites of
 * what it left reachable (the judge keeps none if it fails).  Its output
 * is not the test's: the run that counts prints it. */
static void run_normally_first(void (*code)(void)) {
    int from_child;
    pid_t child = hb_isolate_fork_part(0, &from_child);
    if (child == 0) {
        /* Read-only (the process may open nothing to write, sandbox.c):
         * what the code prints fails to be written, and is lost. */
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        hb_scope *scope = hb_scope_begin(HB_SCOPE_STACKS);
        run_code(code);
        hb_scope_end(scope);
        figures = (hb_part_figures){.below_the_code = below_the_code};
        hb_reachable_from_globals(scope, keep_site, NULL);
        hb_isolate_part_done(&figures);
    }
    if (child > 0)
        hb_isolate_part_end(child, from_child, 0);
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

/* Is this occurrence of the allocation's stack one to fail?  Its frames
 * hashed, a frame that repeats the one before (a recursive call) once. */
static bool worth_failing(uintptr_t caller) {
    hb_guard_enter(); /* unwinding may allocate */
    uint32_t id = hb_stacks_capture(caller);
    hb_guard_leave();
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth = hb_stacks_frames(id, frames);
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < depth; i++)
        if (i == 0 || frames[i] != frames[i - 1])
            hash = (hash ^ frames[i]) * UINT64_C(0x100000001b3);
    hash |= 1; /* never 0, a free slot's */
    for (size_t probe = 0; probe < STACK_SLOTS; probe++) {
        stack_count *slot = &each.stacks[(hash + probe) % STACK_SLOTS];
        if (slot->frames_hash == 0)
            slot->frames_hash = hash;
        if (slot->frames_hash != hash)
            continue;
        unsigned long k = ++slot->seen;
        return k <= FIRST_OCCURRENCES || (k & (k - 1)) == 0;
    }
    return true; /* more stacks than counted: every one fails */
}

/* The core asks at each allocation (hb_fault_fail_each). */
static bool fail_in_a_child(unsigned long n, uintptr_t caller) {
    if (each.in_child || each.enough || each.out_of_time != 0 || !worth_failing(caller))
        return false;
    if (out_of_time()) {
        each.out_of_time = n;
        hb_isolate_fault_out_of_time();
        return false;
    }
    int from_child;
    pid_t child = hb_isolate_fork_part(n, &from_child);
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
    each.tried++;
    each.enough = !hb_isolate_part_end(child, from_child, n);
    return false;
}

/* In the part, the code run to its end: the assertions it failed, and
 * what it left live, site by site, for the judge. */
_Noreturn static void finish_in_child(CU_pFailureRecord before) {
    hb_fault_off();
    hb_scope_end(each.scope);
    for (CU_pFailureRecord f = before ? before->pNext : CU_get_failure_list(); f != NULL;
         f = f->pNext)
        hb_isolate_part_failure(f->uiLineNumber, f->strFileName, f->strCondition);
    hb_usage usage = hb_scope_usage(each.scope);
    figures = (hb_part_figures){.allocation = each.failing,
                                .below_the_code = below_the_code,
                                .live_bytes = usage.live_bytes,
                                .live_blocks = usage.live_blocks};
    figures.failed_depth =
        (uint32_t)hb_stacks_frames(hb_fault_last_failed_stack(), figures.failed_frames);
    hb_site live[HB_WIRE_PART_SITES];
    figures.total_sites = hb_scope_sites(each.scope, HB_SITES_LIVE, live, HB_WIRE_PART_SITES);
    figures.count = figures.total_sites < HB_WIRE_PART_SITES ? (uint32_t)figures.total_sites
                                                             : HB_WIRE_PART_SITES;
    for (uint32_t i = 0; i < figures.count; i++)
        put_site(live[i].stack_id, live[i].bytes, live[i].blocks, &figures.site[i]);
    hb_isolate_part_done(&figures);
}

static CU_pFailureRecord last_failure(void) {
    CU_pFailureRecord f = CU_get_failure_list();
    while (f != NULL && f->pNext != NULL)
        f = f->pNext;
    return f;
}

void hb_fail_each_allocation_at(const char *name, void (*code)(void), const char *file,
                                unsigned line) {
    const char *not_counting = hb_memcheck_not_counting();
    if (not_counting != NULL) { /* make memcheck, make valgrind: nothing can be made to fail */
        hb_memcheck_skipped("fault injection", not_counting);
        code();
        return;
    }
    memset(&each, 0, sizeof each);
    each.name = name;
    each.timed = hb_runner_isolated();
    if (each.timed)
        hb_time_limit_of(CU_get_current_test()->pName, &each.limit);
    clock_gettime(CLOCK_MONOTONIC, &each.started);
    CU_pFailureRecord before = last_failure();
    hb_isolate_fault_begin(name, file, line);
    run_normally_first(code);
    each.scope = hb_scope_begin(HB_SCOPE_STACKS);
    hb_fault_fail_each(fail_in_a_child);
    run_code(code);
    if (each.in_child)
        finish_in_child(before);
    unsigned long total = hb_fault_allocations();
    hb_fault_off();
    hb_scope_finish(each.scope);
    out_of_time(); /* what the points took, if they ran out */
    hb_isolate_fault_end(&(hb_fault_end){.allocations = total,
                                         .tried = each.tried,
                                         .untried_from = each.out_of_time,
                                         .spent_us = (uint64_t)(each.spent_seconds * 1e6),
                                         .processor = each.spent_processor_time});
}

/* ---- reachable blocks: which live blocks the program's globals reach,
 * as a leak checker's "still reachable": a cache kept
 * in a global is the program's, a block nothing points to is a leak.
 *
 * The roots are the writable segments of the executable (its .data and
 * .bss: the globals of the code under test, and of the harness, which
 * holds no counted block); from each word that points into a live block,
 * that block's words in turn.  Conservative, as every such scan: a number
 * that happens to look like a pointer keeps a block. */

typedef struct live_block {
    hb_block block;
    bool reached;
} live_block;

typedef struct scan {
    live_block *blocks;
    size_t count, capacity;
    size_t *pending; /* blocks reached, their words not yet read */
    size_t pending_count;
} scan;

static void count_block(const hb_block *block, void *arg) {
    (void)block;
    ((scan *)arg)->capacity++;
}

static void keep_block(const hb_block *block, void *arg) {
    scan *s = arg;
    if (s->count < s->capacity)
        s->blocks[s->count++] = (live_block){*block, false};
}

static int by_address(const void *a, const void *b) {
    uintptr_t x = ((const live_block *)a)->block.address,
              y = ((const live_block *)b)->block.address;
    return (x > y) - (x < y);
}

/* The block `word` points into, if any, marked and queued. */
static void reach(scan *s, uintptr_t word) {
    size_t low = 0, high = s->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (s->blocks[middle].block.address <= word)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0)
        return;
    live_block *b = &s->blocks[low - 1];
    if (word >= b->block.address + b->block.size || b->reached)
        return;
    b->reached = true;
    s->pending[s->pending_count++] = (size_t)(b - s->blocks);
}

static void scan_words(scan *s, uintptr_t start, uintptr_t end) {
    start = (start + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    for (uintptr_t at = start; at + sizeof(uintptr_t) <= end; at += sizeof(uintptr_t))
        reach(s, *(const uintptr_t *)at);
}

/* The executable comes first in dl_iterate_phdr's order: its writable
 * segments, then stop. */
static int scan_executable(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            scan_words(arg, start, start + ph->p_memsz);
        }
    }
    return 1;
}

static void hb_reachable_from_globals(const hb_scope *scope,
                                      void (*reached)(const hb_block *block, void *arg),
                                      void *arg) {
    scan s = {0};
    hb_guard_enter(); /* the harness's work: its allocations (qsort's) uncounted */
    uint64_t first = hb_scope_id(scope);
    hb_blocks_visit_live(first, count_block, &s);
    size_t bytes = s.capacity * (sizeof *s.blocks + sizeof *s.pending);
    void *pages = s.capacity > 0 ? hb_pages_alloc(bytes) : NULL;
    if (pages != NULL) {
        s.blocks = pages;
        s.pending = (size_t *)(s.blocks + s.capacity);
        hb_blocks_visit_live(first, keep_block, &s);
        qsort(s.blocks, s.count, sizeof *s.blocks, by_address);
        dl_iterate_phdr(scan_executable, &s);
        while (s.pending_count > 0) {
            const hb_block *b = &s.blocks[s.pending[--s.pending_count]].block;
            scan_words(&s, b->address, b->address + b->size);
        }
        for (size_t i = 0; i < s.count; i++)
            if (s.blocks[i].reached)
                reached(&s.blocks[i].block, arg);
        hb_pages_free(pages, bytes);
    }
    hb_guard_leave();
}
