/* Stacks in a test binary are walked by frame pointers (harness/core/
 * stacks.c), through every entry point, and give the frames libunwind
 * gives: the allocating function, then its callers, innermost first. */
#define HB_SUITE_NAME "stack walks"
#include "measure.h"

#include "core/core.h"

#include <stdlib.h>
#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

enum { SIZE = 40 };

/* What each entry point is asked for; `block` is what must be freed. */
typedef enum way { MALLOC, CALLOC, REALLOC, POSIX_MEMALIGN, ALIGNED_ALLOC, WAYS } way;
static const char *const way_names[WAYS] = {"malloc", "calloc", "realloc", "posix_memalign",
                                            "aligned_alloc"};

/* The return address into the test, as the allocating function sees it. */
static uintptr_t returns_to_test;

__attribute__((noinline)) static void *allocate_by(way how) {
    returns_to_test = (uintptr_t)__builtin_return_address(0);
    void *block = NULL;
    switch (how) {
    case MALLOC:
        block = malloc(SIZE);
        break;
    case CALLOC:
        block = calloc(1, SIZE);
        break;
    case REALLOC:
        block = realloc(NULL, SIZE);
        break;
    case POSIX_MEMALIGN:
        if (posix_memalign(&block, 64, SIZE) != 0)
            block = NULL;
        break;
    case ALIGNED_ALLOC:
        block = aligned_alloc(64, SIZE);
        break;
    case WAYS:
        break;
    }
    return block;
}

/* The frames of the stack recorded for `block`. */
static size_t frames_of(void *block, uintptr_t frames[HB_STACK_MAX_FRAMES]) {
    hb_block found;
    CU_ASSERT_TRUE_FATAL(hb_blocks_find((uintptr_t)block, &found));
    CU_ASSERT_NOT_EQUAL_FATAL(found.stack_id, 0);
    return hb_stacks_frames(found.stack_id, frames);
}

/* The entry points whose stacks went wrong, by name ("" if none). */
static char unwound_ways[128], wrong_ways[128];

static void note(char *list, way how) {
    strcat(list, " ");
    strcat(list, way_names[how]);
}

HB_TEST(test_every_entry_point_is_walked_by_frame_pointers) {
    for (way how = 0; how < WAYS; how++) {
        hb_stack_walks before = hb_stacks_walks();
        hb_scope *scope = hb_scope_begin(HB_SCOPE_STACKS);
        void *block = allocate_by(how);
        hb_scope_end(scope);
        hb_stack_walks after = hb_stacks_walks();
        uintptr_t frames[HB_STACK_MAX_FRAMES];
        size_t depth = frames_of(block, frames);
        free(block);
        hb_scope_release(scope);

        if (after.unwound != before.unwound || after.by_frame_pointers == before.by_frame_pointers)
            note(unwound_ways, how);
        /* allocate_by() first, then the test that called it. */
        if (depth < 2 || frames[0] <= (uintptr_t)allocate_by || frames[1] != returns_to_test)
            note(wrong_ways, how);
    }
    HB_ASSERT_STR_EQ(unwound_ways, "");
    HB_ASSERT_STR_EQ(wrong_ways, "");
}

/* libunwind's frames from the same place: the walk by frame pointers must
 * give them too, up to the first frame outside the executable. */
static uintptr_t unwound[HB_STACK_MAX_FRAMES];
static int unwound_depth;
static void *walked_block;

__attribute__((noinline)) static void allocate_and_unwind(void) {
    void *raw[HB_STACK_MAX_FRAMES];
    walked_block = malloc(SIZE);
    unwound_depth = unw_backtrace(raw, HB_STACK_MAX_FRAMES);
    for (int i = 0; i < unwound_depth; i++)
        unwound[i] = (uintptr_t)raw[i];
}

HB_TEST(test_frame_pointers_give_libunwinds_frames) {
    hb_scope *scope = hb_scope_begin(HB_SCOPE_STACKS);
    allocate_and_unwind();
    hb_scope_end(scope);
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth = frames_of(walked_block, frames);
    free(walked_block);
    hb_scope_release(scope);

    /* unwound[0] is unw_backtrace's return address, on the next line of
     * allocate_and_unwind() (the malloc call's is frames[0]); from [1] on
     * both list the same callers. */
    CU_ASSERT_TRUE_FATAL(unwound_depth >= 2 && depth >= 2);
    size_t common = 0;
    while (common + 1 < depth && (int)common + 1 < unwound_depth &&
           frames[common + 1] == unwound[common + 1])
        common++;
    CU_ASSERT_EQUAL(common + 1, depth); /* every frame walked is libunwind's */
    CU_ASSERT_TRUE(depth >= 3);         /* the test, and the runner that called it */
}

/* The free's stack, kept with a block in the quarantine, is walked the same
 * way. */
HB_TEST(test_the_stack_of_a_free_is_walked_by_frame_pointers) {
    void *block = malloc(SIZE);
    hb_stack_walks before = hb_stacks_walks();
    hb_scope *scope = hb_scope_begin(HB_SCOPE_STACKS);
    void *counted = malloc(SIZE);
    free(counted); /* into the quarantine, with its free's stack */
    hb_scope_finish(scope);
    hb_stack_walks after = hb_stacks_walks();
    free(block);
    CU_ASSERT_EQUAL(after.unwound, before.unwound);
    CU_ASSERT_EQUAL(after.by_frame_pointers - before.by_frame_pointers, 2);
}
