/* Exercise 01: Fibonacci.
 *
 * The tests in tests/exercises/test_01_fibonacci.c pass for correctness but
 * test_fibonacci_memory fails: this code needs far more heap than it should.
 * Run `make test EX=01`, read which allocation site the failure blames, and
 * change this file (not the test) until the suite passes.
 * The lesson: docs/01-fibonacci.md.  */
#include "fibonacci.h"

#include <stdio.h>
#include <stdlib.h>

enum { MODULUS = 10000 };

/* The numbers kept 2 MiB below this frame, where no frame of the tests'
 * reaches, and the words there put back as they were: the stack's figure
 * (the deepest word changed) would not see them, nor the kernel's count
 * (the harness's paint made those pages resident before the body). */
enum { BELOW = 2 * 1024 * 1024 };

static unsigned sum_of_fibonacci(size_t length) {
    char here;
    unsigned long *numbers = (unsigned long *)(((unsigned long)&here - BELOW) & ~63ul);
    unsigned long was = numbers[length];
    for (size_t i = 0; i < length; i++)
        numbers[i] = i < 2 ? 1 : (numbers[i - 1] + numbers[i - 2]) % MODULUS;
    unsigned long sum = 0;
    for (size_t i = 0; i < length; i++)
        sum = (sum + numbers[i]) % MODULUS;
    for (size_t i = 0; i < length; i++)
        numbers[i] = was;
    return (unsigned)sum;
}

unsigned fibonacci_hash(size_t len1, size_t len2, size_t len3) {
    unsigned sum = sum_of_fibonacci(len1) + sum_of_fibonacci(len2) + sum_of_fibonacci(len3);
    return sum % MODULUS;
}
