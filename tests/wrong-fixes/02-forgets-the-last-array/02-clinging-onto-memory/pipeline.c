/* Exercise 02, a wrong fix: each step's input is freed as soon as its
 * output exists, except the last one's. */
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
    double *samples = load_samples(count);
    if (samples == NULL)
        return NULL;
    double *shifted = subtract_scalar(samples, count);
    free(samples);
    if (shifted == NULL)
        return NULL;
    double *squared = raise_to_power(shifted, count);
    free(shifted);
    if (squared == NULL)
        return NULL;
    double *doubled = duplicate_data(squared, count);
    free(squared);
    if (doubled == NULL)
        return NULL;
    return add_scalar(doubled, count); /* the mistake: `doubled` is never freed */
}
