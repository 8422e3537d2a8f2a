/* frame_names: heapbook run's last step for each capture, as heaptrack's
 * interpreter does at the end of recording: the modules its frames are in
 * (capture.h's 'L'), and every return address its stacks hold, named
 * (symbols.h) while the program's files are still the ones that ran, and
 * written into the capture as capture.h's 'n' and 'R' records.  Every report then names the frames
 * the same after the program is rebuilt, moved or deleted. */
#ifndef HEAPBOOK_FRAME_NAMES_H
#define HEAPBOOK_FRAME_NAMES_H

#include "capture_reader.h"
#include "transcoder.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes into `sink` the 'L' of each of `modules` that holds one of
 * `addresses` (ascending, distinct; NULL: of every module, memory ran out
 * listing them), then names the addresses and writes their 'n' and 'R'.
 * `capture_name` is the capture's file, for the warnings about modules that
 * cannot be read.  False if no names were written or memory ran out (the
 * records written so far still read). */
bool frame_names_write(const char *capture_name, const capture_module *modules, size_t module_count,
                       const uint64_t *addresses, size_t count, transcoder_sink *sink,
                       void *context);

#endif
