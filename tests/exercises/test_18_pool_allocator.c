/* Exercise 18: An allocator of your own.  Correctness first, then memory
 * and speed, on a trace of allocations and frees as CS:APP's malloc lab
 * runs them. */
#define HB_SUITE_NAME "18-pool-allocator"
#include "heapbook.h"

#include "pool.h"

#include <stdint.h>
#include <string.h>

/* ---- the blocks a trace holds, kept outside the heap (static) so that
 * the memory tests count the pool's memory only ---- */

enum { MOST_LIVE = 4096 };

typedef struct live {
    unsigned char *block;
    unsigned size;
    unsigned char mark; /* every byte of the block holds it */
} live;

static struct {
    live blocks[MOST_LIVE];
    size_t count;
    size_t payload, peak_payload; /* bytes asked for and live; the most at once */
    unsigned marks;
} held;

/* Gets a block of `size`, checks its alignment and fills it with a mark of
 * its own. */
static void allocate(pool *p, unsigned size) {
    unsigned char *block = pool_alloc(p, size);
    HB_ASSERT_NOT_NULL_FATAL(block);
    HB_ASSERT_EQ_FATAL((uintptr_t)block % POOL_ALIGNMENT, 0);
    unsigned char mark = (unsigned char)(held.marks++ % 251 + 1);
    memset(block, mark, size);
    held.blocks[held.count++] = (live){block, size, mark};
    held.payload += size;
    if (held.payload > held.peak_payload)
        held.peak_payload = held.payload;
}

/* Frees live block i, having checked that no other block wrote over it. */
static void release(pool *p, size_t i) {
    live l = held.blocks[i];
    size_t first_wrong = 0;
    while (first_wrong < l.size && l.block[first_wrong] == l.mark)
        first_wrong++;
    HB_ASSERT_EQ_FATAL(first_wrong, l.size); /* less: another block overlaps this one */
    pool_free(p, l.block, l.size);
    held.blocks[i] = held.blocks[--held.count];
    held.payload -= l.size;
}

/* No two live blocks share a byte: sorted by address (Shell's sort, in
 * place: qsort may allocate), each ends before the next begins. */
static void assert_no_overlap(void) {
    live *b = held.blocks;
    for (size_t gap = held.count / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < held.count; i++)
            for (size_t j = i; j >= gap && b[j - gap].block > b[j].block; j -= gap) {
                live swap = b[j];
                b[j] = b[j - gap];
                b[j - gap] = swap;
            }
    for (size_t i = 1; i < held.count; i++)
        HB_ASSERT_EQ_FATAL(b[i - 1].block + b[i - 1].size <= b[i].block, true);
}

/* ---- traces ---- */

static uint64_t trace_state;
static unsigned draw(unsigned below) {
    trace_state = trace_state * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(trace_state >> 33) % below;
}

/* Mostly small blocks, as programs ask: 7 in 10 of 1 to 64 bytes. */
static unsigned draw_size(void) { return draw(10) < 7 ? 1 + draw(64) : 65 + draw(192); }

/* Grows to `grow_to` live blocks, then makes `churn` random frees and
 * allocations, then frees everything in random order; the pool is
 * deleted at the end. */
static void run_trace(uint64_t seed, size_t grow_to, unsigned churn) {
    memset(&held, 0, sizeof held);
    trace_state = seed;
    pool *p = pool_new();
    HB_ASSERT_NOT_NULL_FATAL(p);
    while (held.count < grow_to)
        allocate(p, draw_size());
    for (unsigned step = 0; step < churn; step++)
        if (draw(2) == 0 && held.count > 0)
            release(p, draw((unsigned)held.count));
        else if (held.count < MOST_LIVE)
            allocate(p, draw_size());
    assert_no_overlap();
    while (held.count > 0)
        release(p, draw((unsigned)held.count));
    pool_delete(p);
}

/* ---- correctness ---- */

HB_TEST(test_every_size_aligned_and_apart) {
    pool *p = pool_new();
    HB_ASSERT_NOT_NULL_FATAL(p);
    memset(&held, 0, sizeof held);
    for (unsigned size = 1; size <= POOL_LARGEST; size++)
        allocate(p, size);
    assert_no_overlap();
    while (held.count > 0)
        release(p, held.count - 1);
    pool_delete(p);
    pool_delete(NULL);
}

HB_TEST(test_sizes_out_of_range) {
    pool *p = pool_new();
    HB_ASSERT_NOT_NULL_FATAL(p);
    HB_ASSERT_NULL(pool_alloc(p, 0));
    HB_ASSERT_NULL(pool_alloc(p, POOL_LARGEST + 1));
    pool_free(p, NULL, 16);
    pool_delete(p);
}

/* A block freed and asked for again keeps its neighbours' bytes intact. */
HB_TEST(test_a_short_trace) { run_trace(18, 100, 2000); }

static void pool_while_memory_runs_out(void) {
    pool *p = pool_new();
    if (p == NULL)
        return;
    void *blocks[40];
    for (unsigned i = 0; i < 40; i++) {
        blocks[i] = pool_alloc(p, 1 + i * 6);
        if (blocks[i] != NULL)
            memset(blocks[i], 0x5a, 1 + i * 6);
    }
    for (unsigned i = 0; i < 40; i += 2)
        pool_free(p, blocks[i], 1 + i * 6);
    pool_delete(p);
}

HB_TEST(test_pool_copes_when_memory_runs_out) {
    hb_fail_each_allocation(pool_while_memory_runs_out);
}

/* ---- memory and speed ----
 * The fixed trace makes 13,048 allocations and as many frees, 1,025,856
 * bytes in all once each size is rounded up to 16, and its payload (the
 * bytes asked for and not yet freed) peaks at PEAK_PAYLOAD, 219.4 KiB.
 * Memory: the pool may take at most 320 KiB from malloc at once, a
 * utilisation (peak payload over peak memory taken) of at least 0.69.
 * Speed, in the cost the harness counts for it: at most 150 calls of
 * malloc for the trace's 26,096 operations; a pool is fast when it rarely
 * calls the allocator under it, and takes a block without a search. */

enum { TRACE_SEED = 2026, TRACE_LIVE = 3000, TRACE_CHURN = 20000, PEAK_PAYLOAD = 224671 };

HB_MEMORY_TEST(test_trace_memory, .peak = "320 KiB", .allocations = "150", .leaks = "0 B") {
    run_trace(TRACE_SEED, TRACE_LIVE, TRACE_CHURN);
    HB_ASSERT_EQ(held.peak_payload, PEAK_PAYLOAD);
}

/* Another trace of the same shape, drawn for this run. */
HB_MEMORY_TEST(test_random_trace_memory, .peak = "320 KiB", .allocations = "150", .leaks = "0 B") {
    run_trace(hb_random_named("seed", 1, UINT32_MAX), TRACE_LIVE, TRACE_CHURN);
}
