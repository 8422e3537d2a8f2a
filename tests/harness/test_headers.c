/* The header in front of every block (harness/core/core.h: Blocks): the caller's
 * bytes never touch it, whatever the size or alignment, and it is not
 * counted.  A corrupted header is tests/fixtures/crash_fixture.c's. */
#define HB_SUITE_NAME "block headers"
#include "measure.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Writing every byte malloc_usable_size() promises must leave each header
 * intact: free() checks it, and stops the test if it were not. */
HB_TEST(test_every_usable_byte_can_be_written) {
    for (size_t size = 0; size <= 1100; size += 7) {
        unsigned char *block = malloc(size);
        CU_ASSERT_PTR_NOT_NULL_FATAL(block);
        size_t usable = malloc_usable_size(block);
        CU_ASSERT(usable >= size);
        memset(block, 0xA5, usable);
        free(block);
    }
}

HB_TEST(test_payloads_are_aligned_for_any_object) {
    for (size_t size = 1; size <= 256; size++) {
        void *block = malloc(size);
        CU_ASSERT_EQUAL((uintptr_t)block % (size < 16 ? 8 : 16), 0);
        free(block);
    }
}

/* Alignments from 16 bytes to 256 MiB: the payload is aligned, every
 * usable byte can be written, and realloc keeps the contents.  Beyond the
 * alignment mimalloc can offset (16 MiB in mimalloc 2.0) the block has a
 * gap before the header: free(), realloc() and malloc_usable_size() must
 * still find its start. */
HB_TEST(test_large_alignments_keep_room_for_the_header) {
    for (size_t alignment = 16; alignment <= (size_t)256 << 20; alignment *= 4) {
        void *block = NULL;
        CU_ASSERT_EQUAL_FATAL(posix_memalign(&block, alignment, 100), 0);
        CU_ASSERT_EQUAL((uintptr_t)block % alignment, 0);
        CU_ASSERT(malloc_usable_size(block) >= 100);
        memset(block, 0x5A, malloc_usable_size(block));
        strcpy(block, "aligned");
        char *grown = realloc(block, 100000);
        CU_ASSERT_PTR_NOT_NULL_FATAL(grown);
        CU_ASSERT_STRING_EQUAL(grown, "aligned");
        free(grown);
    }
}

static void allocate_aligned_and_calloc(void) {
    void *aligned = aligned_alloc(4096, 4096);
    void *zeroed = calloc(3, 7);
    free(aligned);
    free(zeroed);
}

HB_TEST(test_headers_are_not_counted) {
    hb_usage usage = measure(allocate_aligned_and_calloc);
    CU_ASSERT_EQUAL(usage.total_bytes, 4096 + 21);
    CU_ASSERT_EQUAL(usage.peak_bytes, 4096 + 21);
    CU_ASSERT_EQUAL(usage.live_bytes, 0);
}

HB_TEST(test_calloc_zeroes_only_the_payload_it_promises) {
    for (int round = 0; round < 3; round++) {
        unsigned char *dirty = malloc(64); /* leave non-zero bytes behind */
        memset(dirty, 0xFF, 64);
        free(dirty);
        unsigned char *block = calloc(8, 8);
        CU_ASSERT_PTR_NOT_NULL_FATAL(block);
        for (int i = 0; i < 64; i++)
            CU_ASSERT_EQUAL_FATAL(block[i], 0);
        free(block);
    }
}

static void *huge_aligned;

static void allocate_aligned_to_64_mib(void) {
    CU_ASSERT_EQUAL(posix_memalign(&huge_aligned, (size_t)64 << 20, 1000), 0);
}

/* The gap is not counted either. */
HB_TEST(test_a_gap_before_the_header_is_not_counted) {
    hb_usage usage = measure(allocate_aligned_to_64_mib);
    CU_ASSERT_PTR_NOT_NULL_FATAL(huge_aligned);
    CU_ASSERT_EQUAL(usage.total_bytes, 1000);
    CU_ASSERT_EQUAL(usage.live_bytes, 1000);
    free(huge_aligned);
}
