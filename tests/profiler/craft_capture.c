/* Writes a capture (capture.h) holding the records read from stdin: the
 * file header, then the bytes as one zstd frame.  tests/profiler/check.sh
 * crafts damaged and hostile captures with it. */
#include "capture_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

int main(void) {
    enum { MAX = 64 << 20 };
    unsigned char *records = malloc(MAX);
    size_t size = records ? fread(records, 1, MAX, stdin) : 0;
    size_t bound = ZSTD_compressBound(size);
    unsigned char *compressed = malloc(bound);
    if (records == NULL || compressed == NULL)
        return 1;
    size_t n = ZSTD_compress(compressed, bound, records, size, 1);
    unsigned char header[CAPTURE_FILE_HEADER];
    capture_file_header(header);
    if (ZSTD_isError(n) || fwrite(header, 1, sizeof header, stdout) != sizeof header ||
        fwrite(compressed, 1, n, stdout) != n)
        return 1;
    free(records);
    free(compressed);
    return 0;
}
