/* Exercise 01, a wrong fix: every number is below 10000, so the array is
 * one of 2-byte unsigned shorts, of exactly the length asked for: a quarter
 * of an array of unsigned longs, but still the whole sequence. */
#include "fibonacci.h"

#include <stdio.h>
#include <stdlib.h>

enum { MODULUS = 10000 };

static unsigned short *fibonacci(size_t length) {
    unsigned short *numbers = malloc(length * sizeof *numbers);
    if (numbers == NULL)
        return NULL;
    for (size_t i = 0; i < length; i++)
        numbers[i] = i < 2 ? 1 : (unsigned short)((numbers[i - 1] + numbers[i - 2]) % MODULUS);
    return numbers;
}

static unsigned sum_of_fibonacci(size_t length) {
    unsigned short *numbers = fibonacci(length);
    if (numbers == NULL) {
        perror("fibonacci");
        exit(EXIT_FAILURE);
    }
    unsigned long sum = 0;
    for (size_t i = 0; i < length; i++)
        sum = (sum + numbers[i]) % MODULUS;
    free(numbers);
    return (unsigned)sum;
}

unsigned fibonacci_hash(size_t len1, size_t len2, size_t len3) {
    unsigned sum = sum_of_fibonacci(len1) + sum_of_fibonacci(len2) + sum_of_fibonacci(len3);
    return sum % MODULUS;
}
