/* libFuzzer entry for the capture reader: any bytes must give a capture or
 * an error, never a crash or a leak.  make fuzz runs it over corpus/. */
#include "capture_reader.h"
#include "replay.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    capture c;
    char error[CAPTURE_ERROR];
    if (!capture_read_memory("fuzz", data, size, &c, error))
        return 0;
    replay r;
    replay_run(&c, &r, error); /* a free of an unknown block is an error, not a crash */
    replay_free(&r);
    capture_close(&c);
    return 0;
}
