/* Exercise 02, a wrong fix: the steps work in place, as in the solution,
 * but the last one's loop runs one element too far. */
#include "pipeline.h"

#include <stdint.h>
#include <stdlib.h>

/* The wave's period and the steps' constants, as in Memray's tutorial. */
enum { PERIOD = 100, SUBTRACT_AMOUNT = 3, POWER_AMOUNT = 2, DUPLICATE_FACTOR = 2, ADD_AMOUNT = 10 };

static double *load_samples(size_t count) {
    if (count > SIZE_MAX / sizeof(double))
        return NULL;
    double *samples = malloc(count * sizeof(double));
    if (samples == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        samples[i] = (double)(i % PERIOD);
    return samples;
}

/* Each step rewrites the array it is given; none allocates. */

static void subtract_scalar(double *data, size_t count) {
    for (size_t i = 0; i < count; i++)
        data[i] -= SUBTRACT_AMOUNT;
}

static void raise_to_power(double *data, size_t count) {
    for (size_t i = 0; i < count; i++) {
        double value = 1;
        for (int p = 0; p < POWER_AMOUNT; p++)
            value *= data[i];
        data[i] = value;
    }
}

static void duplicate_data(double *data, size_t count) {
    for (size_t i = 0; i < count; i++)
        data[i] *= DUPLICATE_FACTOR;
}

static void add_scalar(double *data, size_t count) {
    for (size_t i = 0; i <= count; i++) /* the mistake: data[count] is past the end */
        data[i] += ADD_AMOUNT;
}

double *process_data(size_t count) {
    double *data = load_samples(count);
    if (data == NULL)
        return NULL;
    subtract_scalar(data, count);
    raise_to_power(data, count);
    duplicate_data(data, count);
    add_scalar(data, count);
    return data;
}
