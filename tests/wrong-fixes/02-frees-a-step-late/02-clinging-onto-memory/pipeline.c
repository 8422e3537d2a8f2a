/* Exercise 02, a wrong fix: each step still makes a new array, and each
 * array is freed, but one step later than it could be: once the step after
 * the one that read it has run.  Three arrays are live at a time. */
#include "pipeline.h"

#include <stdint.h>
#include <stdlib.h>

/* The wave's period and the steps' constants, as in Memray's tutorial. */
enum { PERIOD = 100, SUBTRACT_AMOUNT = 3, POWER_AMOUNT = 2, DUPLICATE_FACTOR = 2, ADD_AMOUNT = 10 };

/* A new array of `count` doubles, not initialised; NULL if memory runs out
 * or the size does not fit in a size_t. */
static double *new_array(size_t count) {
    if (count > SIZE_MAX / sizeof(double))
        return NULL;
    return malloc(count * sizeof(double));
}

static double *load_samples(size_t count) {
    double *samples = new_array(count);
    if (samples == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        samples[i] = (double)(i % PERIOD);
    return samples;
}

/* Each step leaves its input alone and returns a new array, or NULL. */

static double *subtract_scalar(const double *data, size_t count) {
    double *result = new_array(count);
    if (result == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        result[i] = data[i] - SUBTRACT_AMOUNT;
    return result;
}

static double *raise_to_power(const double *data, size_t count) {
    double *result = new_array(count);
    if (result == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        double value = 1;
        for (int p = 0; p < POWER_AMOUNT; p++)
            value *= data[i];
        result[i] = value;
    }
    return result;
}

static double *duplicate_data(const double *data, size_t count) {
    double *result = new_array(count);
    if (result == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        result[i] = data[i] * DUPLICATE_FACTOR;
    return result;
}

static double *add_scalar(const double *data, size_t count) {
    double *result = new_array(count);
    if (result == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        result[i] = data[i] + ADD_AMOUNT;
    return result;
}

double *process_data(size_t count) {
    double *samples = NULL, *shifted = NULL, *squared = NULL, *doubled = NULL, *result = NULL;
    samples = load_samples(count);
    if (samples == NULL)
        goto cleanup;
    shifted = subtract_scalar(samples, count);
    if (shifted == NULL)
        goto cleanup;
    squared = raise_to_power(shifted, count);
    if (squared == NULL)
        goto cleanup;
    free(samples); /* the mistake: done with since `shifted` was made */
    samples = NULL;
    doubled = duplicate_data(squared, count);
    if (doubled == NULL)
        goto cleanup;
    free(shifted);
    shifted = NULL;
    result = add_scalar(doubled, count);
cleanup:
    /* One way out, whichever step failed: every intermediate is freed here. */
    free(doubled);
    free(squared);
    free(shifted);
    free(samples);
    return result;
}
