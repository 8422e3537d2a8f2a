/* Exercise 05: the sample text the memory test counts, made up on the spot.
 * Part of the exercise's scaffolding: you do not need to change it. */
#ifndef SAMPLE_TEXT_H
#define SAMPLE_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* The size of the memory test's input: 3 MiB, rounded up to a whole line. */
enum { SAMPLE_TEXT_SIZE = 3 * 1024 * 1024 };

/* Returns a temporary file holding at least `size` bytes of text, positioned
 * at its start: lines of 0 to 16 words separated by spaces or tabs.  A
 * fixed-seed generator picks the words, so the text, and every count of it,
 * is the same on every run.  fclose() deletes the file.  NULL, with errno
 * set, if the file cannot be made or written. */
FILE *sample_text_open(size_t size);

#endif
