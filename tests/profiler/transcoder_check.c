/* transcoder_check: a sample of the resident set size taken in a tick
 * comes after the tick's events before it (profiler/transcoder.c).  The
 * transcoder counts a tick's events and writes them when the tick ends;
 * a sample copied as it came would go before them, and the page's curve
 * would have them after the sample, at the tick's earlier time.
 *
 * Transcodes a preload stream (a stack, two allocations, a sample, a
 * later tick and an allocation in it) and the same stream cut before the
 * sample, and checks that the first holds all of the second before its
 * 'M'.  Prints "transcoder: ..." and exits 0, or says what differs and
 * exits 1. */
#include "capture.h"
#include "transcoder.h"

#include <stdio.h>
#include <string.h>

typedef struct bytes {
    unsigned char data[4096];
    size_t size;
} bytes;

static void keep(void *context, const unsigned char *data, size_t size) {
    bytes *b = context;
    if (size <= sizeof b->data - b->size) {
        memcpy(b->data + b->size, data, size);
        b->size += size;
    }
}

/* The preload's stream up to the sample (`whole`: and the rest). */
static size_t preload_stream(unsigned char *p, bool whole) {
    unsigned char *start = p;
    *p++ = TAG_STACK;
    p = capture_put_varint(p, 1);
    p = capture_put_varint(p, 1);
    p = capture_put_varint(p, 0x401000);
    for (int i = 0; i < 2; i++) { /* two blocks of 64 B, 64 B apart */
        *p++ = TAG_ALLOC;
        p = capture_put_varint(p, capture_zigzag(i == 0 ? 0x7000000 : 64));
        p = capture_put_varint(p, 64);
        p = capture_put_varint(p, 1);
    }
    if (!whole)
        return (size_t)(p - start);
    *p++ = TAG_SAMPLE;
    p = capture_put_u64(p, 5000);
    p = capture_put_varint(p, 1 << 20);
    *p++ = TAG_TIME;
    p = capture_put_varint(p, 100000);
    *p++ = TAG_ALLOC;
    p = capture_put_varint(p, capture_zigzag(64));
    p = capture_put_varint(p, 128);
    p = capture_put_varint(p, 1);
    return (size_t)(p - start);
}

static bool transcode(bool whole, bytes *out) {
    unsigned char stream[256];
    size_t size = preload_stream(stream, whole);
    transcoder *t = transcoder_new();
    bool ok = t != NULL && transcoder_feed(t, stream, size, keep, out);
    if (ok && !whole)
        transcoder_finish(t, keep, out);
    if (t != NULL && !ok)
        printf("transcoder: the stream was refused: %s\n", transcoder_error(t));
    transcoder_free(t);
    return ok;
}

int main(void) {
    static bytes before_sample, whole;
    if (!transcode(false, &before_sample) || !transcode(true, &whole))
        return 1;
    if (whole.size <= before_sample.size ||
        memcmp(whole.data, before_sample.data, before_sample.size) != 0 ||
        whole.data[before_sample.size] != TAG_SAMPLE) {
        printf("transcoder: the sample is not after the %zu bytes of the events before it\n",
               before_sample.size);
        return 1;
    }
    printf("transcoder: a sample taken in a tick follows the tick's %zu bytes before it\n",
           before_sample.size);
    return 0;
}
