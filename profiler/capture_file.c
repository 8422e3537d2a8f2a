#include "capture_file.h"

#include "output_file.h"

#include <stdbool.h>
#include <string.h>

/* What every capture heapbook ever wrote starts with (versions 1 to 3). */
static const char ANY_CAPTURE[] = "HBCAP";

void capture_file_header(unsigned char header[CAPTURE_FILE_HEADER]) {
    memcpy(header, CAPTURE_MAGIC, CAPTURE_MAGIC_SIZE);
    uint32_t fields[2] = {CAPTURE_VERSION, CAPTURE_COMPRESSION_ZSTD};
    for (int i = 0; i < 8; i++)
        header[CAPTURE_MAGIC_SIZE + i] = (unsigned char)(fields[i / 4] >> (8 * (i % 4)));
}

static bool is_capture(const unsigned char *start, size_t length) {
    return length >= sizeof ANY_CAPTURE - 1 &&
           memcmp(start, ANY_CAPTURE, sizeof ANY_CAPTURE - 1) == 0;
}

/* A capture is never written into a stream: heapbook run rewrites it from
 * its start when the program execs. */
static const output_kind CAPTURE_OUTPUT = {"the capture", "a heapbook capture", is_capture, false};

int capture_file_create(const char *path, char *error, size_t size) {
    return output_file_create(path, &CAPTURE_OUTPUT, NULL, 0, error, size);
}
