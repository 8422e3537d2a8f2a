/* Exercise 11: the sample orders.  Scaffolding, not part of the exercise. */
#include "sample_orders.h"

#include <stdio.h>

static const char *const customers[] = {
    "Ada Lovelace",   "Alan Turing",   "Grace Hopper",      "Edsger Dijkstra",
    "Barbara Liskov", "Donald Knuth",  "Frances Allen",     "Ken Thompson",
    "Dennis Ritchie", "Radia Perlman", "Margaret Hamilton", "John von Neumann",
};
static const char *const items[] = {
    "teapot",         "blue mug",    "fountain pen",
    "desk lamp",      "stapler",     "notebook",
    "laptop stand",   "USB-C cable", "mechanical keyboard",
    "wireless mouse", "paperclips",  "noise-cancelling headphones",
};
/* Most orders have no note. */
static const char *const notes[] = {
    "", "", "", "", "", "", "", "", "gift wrap", "express", "leave at the door", "call first",
};
#define COUNT(array) (sizeof array / sizeof array[0])

/* A 64-bit linear congruential generator (Knuth's MMIX constants); the high
 * bits are the well-mixed ones. */
static unsigned draw(uint64_t *state, unsigned below) {
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(*state >> 33) % below;
}

size_t sample_orders(char *csv, size_t capacity, size_t orders, uint64_t seed) {
    if (orders + 1 > capacity / SAMPLE_ORDERS_LONGEST_LINE)
        return 0;
    uint64_t state = seed;
    size_t length = (size_t)snprintf(csv, capacity, "%s\n", SAMPLE_ORDERS_HEADER);
    for (size_t order = 1; order <= orders; order++) {
        unsigned month = 1 + draw(&state, 12), day = 1 + draw(&state, 28);
        const char *customer = customers[draw(&state, COUNT(customers))];
        const char *item = items[draw(&state, COUNT(items))];
        unsigned quantity = 1 + draw(&state, 12);
        const char *note = notes[draw(&state, COUNT(notes))];
        length +=
            (size_t)snprintf(csv + length, capacity - length, "A%05zu,2024-%02u-%02u,%s,%s,%u,%s\n",
                             order, month, day, customer, item, quantity, note);
    }
    return length;
}
