/* Exercise 11: the orders the memory tests read, made up on the spot.  Part
 * of the exercise's scaffolding: you do not need to change it. */
#ifndef SAMPLE_ORDERS_H
#define SAMPLE_ORDERS_H

#include <stddef.h>
#include <stdint.h>

/* The six columns, in order. */
#define SAMPLE_ORDERS_HEADER "order,date,customer,item,quantity,note"

/* The longest line sample_orders() writes, '\n' included. */
enum { SAMPLE_ORDERS_LONGEST_LINE = 96 };

/* Writes a CSV of a shop's orders into csv[0 .. capacity): the header line,
 * then `orders` lines such as
 *     A00042,2024-03-17,Grace Hopper,blue mug,2,gift wrap
 * each ending in '\n'.  Most cells are short: an order number, a date, a
 * name, a thing, a quantity, a note that is often empty.  The same seed
 * gives the same orders.  Returns the length written, or 0 if the orders
 * would not fit in `capacity` bytes (at most SAMPLE_ORDERS_LONGEST_LINE
 * bytes an order, and as much for the header, do). */
size_t sample_orders(char *csv, size_t capacity, size_t orders, uint64_t seed);

#endif
