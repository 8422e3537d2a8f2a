/* Memory from the kernel itself counts too: an anonymous mapping as a
 * block, a mapped file as a figure of its own (harness/core/mappings.c). */
#define HB_SUITE_NAME "mappings"
#include "measure.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

enum { MIB = 1024 * 1024, PAGE = 4096 };

static void *mapped;

static void map_anonymous(void) {
    mapped = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_NOT_EQUAL(mapped, MAP_FAILED);
}

static void map_and_unmap(void) {
    map_anonymous();
    CU_ASSERT_EQUAL(munmap(mapped, MIB), 0);
}

HB_TEST(test_an_anonymous_mapping_counts_as_a_block) {
    HB_REQUIRE_COUNTING();
    hb_usage kept = measure(map_anonymous);
    CU_ASSERT_EQUAL(kept.peak_bytes, MIB);
    CU_ASSERT_EQUAL(kept.live_bytes, MIB);
    CU_ASSERT_EQUAL(kept.allocations, 1);
    munmap(mapped, MIB);
    hb_usage given_back = measure(map_and_unmap);
    CU_ASSERT_EQUAL(given_back.peak_bytes, MIB);
    CU_ASSERT_EQUAL(given_back.live_bytes, 0);
    CU_ASSERT_EQUAL(given_back.frees, 1);
}

/* Half of it given back: half still counted. */
static void unmap_the_second_half(void) {
    map_anonymous();
    CU_ASSERT_EQUAL(munmap((char *)mapped + MIB / 2, MIB / 2), 0);
}

HB_TEST(test_a_partial_munmap_gives_back_its_part) {
    HB_REQUIRE_COUNTING();
    hb_usage usage = measure(unmap_the_second_half);
    CU_ASSERT_EQUAL(usage.peak_bytes, MIB);
    CU_ASSERT_EQUAL(usage.live_bytes, MIB / 2);
    munmap(mapped, MIB / 2);
}

static void grow_with_mremap(void) {
    map_anonymous();
    void *grown = mremap(mapped, MIB, 2 * MIB, MREMAP_MAYMOVE);
    CU_ASSERT_NOT_EQUAL_FATAL(grown, MAP_FAILED);
    CU_ASSERT_EQUAL(munmap(grown, 2 * MIB), 0);
}

HB_TEST(test_mremap_counts_the_new_size) {
    HB_REQUIRE_COUNTING();
    hb_usage usage = measure(grow_with_mremap);
    CU_ASSERT_EQUAL(usage.peak_bytes, 2 * MIB);
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
}

/* A mapped file is no heap: its own figure. */
static void map_a_file(void) {
    FILE *file = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    CU_ASSERT_EQUAL(ftruncate(fileno(file), 4 * PAGE), 0);
    void *view = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fileno(file), 0);
    CU_ASSERT_NOT_EQUAL_FATAL(view, MAP_FAILED);
    CU_ASSERT_EQUAL(munmap(view, 4 * PAGE), 0);
    fclose(file);
}

HB_TEST(test_a_mapped_file_is_a_figure_of_its_own) {
    HB_REQUIRE_COUNTING();
    hb_scope *scope = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    map_a_file();
    hb_usage usage = hb_scope_finish(scope);
    CU_ASSERT_EQUAL(usage.mapped_peak_bytes, 4 * PAGE);
    /* tmpfile's FILE and its buffer are heap; the mapping is not. */
    CU_ASSERT(usage.peak_bytes < 4 * PAGE);
}
