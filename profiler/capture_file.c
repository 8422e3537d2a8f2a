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

/* Strings as heapbook run writes them ('L' paths, 'n' names), each ended
 * by a 0 byte: the dynamic loader's and the C library's start-up frames
 * (every program's outermost), the loader's constructor calls, operator
 * new, and the runtime's modules.  The most common last: zstd reaches the
 * end of its history at the lowest cost. */
static const char DICTIONARY[] = "/lib/x86_64-linux-gnu/libm.so.6\0"
                                 "/lib/x86_64-linux-gnu/libgcc_s.so.1\0"
                                 "/lib/x86_64-linux-gnu/libstdc++.so.6\0"
                                 "/lib/x86_64-linux-gnu/libc.so.6\0"
                                 "/lib64/ld-linux-x86-64.so.2\0"
                                 "operator new(unsigned long)\0"
                                 "_dl_start_user\0"
                                 "_dl_init\0"
                                 "elf/dl-init.c\0"
                                 "call_init\0"
                                 "__libc_start_call_main\0"
                                 "../sysdeps/nptl/libc_start_call_main.h\0"
                                 "__libc_start_main\0"
                                 "../csu/libc-start.c\0"
                                 "_start\0"
                                 "main";

const void *capture_file_dictionary(size_t *size) {
    *size = sizeof DICTIONARY; /* its last 0 byte too */
    return DICTIONARY;
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
