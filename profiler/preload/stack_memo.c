/* stack_memo.c: recent stacks checked against the stack (stack_memo.h). */
#include "stack_memo.h"

#include "core/core.h"

#if defined(__x86_64__)

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <stdbool.h>

enum {
    /* Stacks a thread allocates from in turn: sets of four, the least
     * recently used of the four replaced.  A set is chosen by where the
     * caller's return address sits, which moves with the stack's random
     * base from run to run: with eight sets of two, a program that
     * allocates from eight places in turn (bench/tenmillion.c) found three
     * of them in one set in some runs, and unwound its stacks again and
     * again.  Four ways of sixteen sets take three or four together. */
    MEMO_SETS = 16,
    MEMO_WAYS = 4,
    /* Deeper stacks are unwound every time. */
    MEMO_FRAMES = 32,
    /* A place whose callers keep changing (recursion of varying depth) is
     * walked again at most this many times in a row, then left alone for
     * REST allocations: a walk costs about two unwindings. */
    WALKS_IN_A_ROW = 4,
    REST = 256,
};

typedef struct memo_entry {
    uint32_t depth; /* frames; 0: empty */
    uint32_t id;
    uint64_t used; /* when it last served, for the choice of which to replace */
    const uintptr_t *slots[MEMO_FRAMES]; /* where each return address sits */
    uintptr_t values[MEMO_FRAMES];       /* ... and which it is */
} memo_entry;

typedef struct memo_set {
    memo_entry ways[MEMO_WAYS];
    uint32_t walks, rest;
} memo_set;

/* Per thread: each stack's slots are in its own thread's stack. */
static __thread memo_set memo[MEMO_SETS] __attribute__((tls_model("initial-exec")));
static __thread uint64_t memo_clock __attribute__((tls_model("initial-exec")));

static memo_set *set_for(const uintptr_t *slot, uintptr_t caller) {
    uintptr_t mixed = (uintptr_t)slot ^ caller;
    mixed = (mixed ^ (mixed >> 17)) * UINT64_C(0x9E3779B97F4A7C15);
    return &memo[(mixed >> 40) % MEMO_SETS];
}

static bool still_holds(const memo_entry *e, const uintptr_t *slot, uintptr_t caller) {
    if (e->depth == 0 || e->slots[0] != slot || e->values[0] != caller)
        return false;
    for (uint32_t i = 1; i < e->depth; i++)
        if (*e->slots[i] != e->values[i])
            return false;
    return true;
}

/* Finds where each frame of stack `id` keeps its return address, walking
 * the stack from here with libunwind: a frame's is the word just below the
 * stack pointer it returns to.  False, with nothing remembered, if the walk
 * does not agree with the frames captured. */
static bool remember(memo_entry *e, uint32_t id, uintptr_t caller, const uintptr_t *slot) {
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth = hb_stacks_frames(id, frames);
    unw_context_t context;
    unw_cursor_t cursor;
    e->depth = 0;
    if (depth == 0 || depth > MEMO_FRAMES || frames[0] != caller || unw_getcontext(&context) != 0 ||
        unw_init_local(&cursor, &context) != 0)
        return false;
    /* This function's frame, the recorder's and the hook's come first. */
    enum { OWN_FRAMES_AT_MOST = 16 };
    size_t at = 0;
    for (int step = 0; step < OWN_FRAMES_AT_MOST + MEMO_FRAMES && at < depth; step++) {
        unw_word_t ip, sp;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 ||
            unw_get_reg(&cursor, UNW_REG_SP, &sp) != 0)
            return false;
        const uintptr_t *where = (const uintptr_t *)sp - 1;
        if (at > 0 || ip == caller) {
            if (ip != frames[at] || *where != ip || (at == 0 && where != slot))
                return false;
            e->slots[at] = where;
            e->values[at] = ip;
            at++;
        }
        if (at < depth && unw_step(&cursor) <= 0)
            return false;
    }
    if (at != depth)
        return false;
    e->depth = (uint32_t)depth;
    e->id = id;
    e->used = ++memo_clock;
    return true;
}

uint32_t stack_memo_capture(uintptr_t caller, const uintptr_t *caller_slot) {
    if (caller_slot == NULL || *caller_slot != caller)
        return hb_stacks_capture(caller);
    memo_set *set = set_for(caller_slot, caller);
    for (int way = 0; way < MEMO_WAYS; way++) {
        memo_entry *e = &set->ways[way];
        if (still_holds(e, caller_slot, caller)) {
            e->used = ++memo_clock;
            set->walks = 0;
            return e->id;
        }
    }
    uint32_t id = hb_stacks_capture(caller);
    if (id == 0)
        return 0;
    if (set->rest > 0) {
        set->rest--;
        return id;
    }
    memo_entry *oldest = &set->ways[0];
    for (int way = 1; way < MEMO_WAYS; way++)
        if (set->ways[way].used < oldest->used)
            oldest = &set->ways[way];
    remember(oldest, id, caller, caller_slot);
    if (++set->walks >= WALKS_IN_A_ROW) {
        set->walks = 0;
        set->rest = REST;
    }
    return id;
}

#else /* every stack unwound */

uint32_t stack_memo_capture(uintptr_t caller, const uintptr_t *caller_slot) {
    (void)caller_slot;
    return hb_stacks_capture(caller);
}

#endif
