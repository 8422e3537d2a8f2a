/* Memory from the kernel itself counts too: every mapping as a block,
 * a mapped file also as a figure of its own (harness/core/mappings.c). */
#define HB_SUITE_NAME "mappings"
#include "measure.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/shm.h>
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

/* A mapped file is memory the process holds: in the peak, and shown on
 * its own. */
static void map_a_file(void) {
    FILE *file = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    CU_ASSERT_EQUAL(ftruncate(fileno(file), 64 * PAGE), 0);
    void *view = mmap(NULL, 64 * PAGE, PROT_READ, MAP_SHARED, fileno(file), 0);
    CU_ASSERT_NOT_EQUAL_FATAL(view, MAP_FAILED);
    CU_ASSERT_EQUAL(munmap(view, 64 * PAGE), 0);
    fclose(file);
}

HB_TEST(test_a_mapped_file_counts_in_the_peak_and_on_its_own) {
    HB_REQUIRE_COUNTING();
    hb_usage usage = measure(map_a_file);
    CU_ASSERT_EQUAL(usage.mapped_peak_bytes, 64 * PAGE);
    /* tmpfile's FILE and its buffer are heap, and live beside the mapping */
    CU_ASSERT(usage.peak_bytes > 64 * PAGE);
    CU_ASSERT(usage.peak_bytes < 66 * PAGE);
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
}

/* The same pages, shared: each way of sharing memory counts. */
static void map_shared_anonymous(void) {
    void *shared = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_NOT_EQUAL_FATAL(shared, MAP_FAILED);
    CU_ASSERT_EQUAL(munmap(shared, MIB), 0);
}

static void map_memfd(void) {
    int fd = memfd_create("heapbook-test", 0);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(ftruncate(fd, MIB), 0);
    void *shared = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CU_ASSERT_NOT_EQUAL_FATAL(shared, MAP_FAILED);
    CU_ASSERT_EQUAL(munmap(shared, MIB), 0);
    close(fd);
}

static void map_posix_shared_memory(void) {
    char name[64];
    snprintf(name, sizeof name, "/heapbook-test-%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    shm_unlink(name);
    CU_ASSERT_EQUAL(ftruncate(fd, MIB), 0);
    void *shared = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CU_ASSERT_NOT_EQUAL_FATAL(shared, MAP_FAILED);
    CU_ASSERT_EQUAL(munmap(shared, MIB), 0);
    close(fd);
}

static void attach_system_v_segment(void) {
    int id = shmget(IPC_PRIVATE, MIB, IPC_CREAT | 0600);
    CU_ASSERT_FATAL(id >= 0);
    void *segment = shmat(id, NULL, 0);
    shmctl(id, IPC_RMID, NULL);
    CU_ASSERT_NOT_EQUAL_FATAL(segment, (void *)-1);
    CU_ASSERT_EQUAL(shmdt(segment), 0);
}

HB_TEST(test_shared_memory_counts_every_way_it_is_made) {
    HB_REQUIRE_COUNTING();
    void (*ways[])(void) = {map_shared_anonymous, map_memfd, map_posix_shared_memory,
                            attach_system_v_segment};
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        hb_usage usage = measure(ways[i]);
        CU_ASSERT_EQUAL(usage.peak_bytes, MIB);
        CU_ASSERT_EQUAL(usage.live_bytes, 0);
    }
}

/* A mapping made before the scope, grown inside it: the growth counts. */
static void *made_before;

static void grow_what_was_made_before(void) {
    void *grown = mremap(made_before, MIB, 3 * MIB, MREMAP_MAYMOVE);
    CU_ASSERT_NOT_EQUAL_FATAL(grown, MAP_FAILED);
    made_before = grown;
}

HB_TEST(test_mremap_growth_counts_whoever_made_the_mapping) {
    HB_REQUIRE_COUNTING();
    made_before = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_NOT_EQUAL_FATAL(made_before, MAP_FAILED);
    hb_usage usage = measure(grow_what_was_made_before);
    CU_ASSERT_EQUAL(usage.peak_bytes, 2 * MIB);
    CU_ASSERT_EQUAL(usage.live_bytes, 2 * MIB);
    munmap(made_before, 3 * MIB);
}

/* MAP_FIXED over a counted mapping replaces it: it is not counted twice. */
static void map_over_itself(void) {
    map_anonymous();
    void *again =
        mmap(mapped, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CU_ASSERT_PTR_EQUAL(again, mapped);
    CU_ASSERT_EQUAL(munmap(mapped, MIB), 0);
}

HB_TEST(test_map_fixed_replaces_what_it_maps_over) {
    HB_REQUIRE_COUNTING();
    hb_usage usage = measure(map_over_itself);
    CU_ASSERT_EQUAL(usage.peak_bytes, MIB);
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
}
