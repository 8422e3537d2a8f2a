/* Exercise 12: Shared strings.
 *
 * The tests in tests/exercises/test_12_shared_strings.c pass for
 * correctness, but the memory tests fail: a weekly meeting repeated for a
 * year holds 53 copies of its title and of its place, where one of each
 * would do.  Run `make test EX=12`, read which line makes the copies, and
 * change this file (not the tests) until the suite passes.  The lesson:
 * docs/12-shared-strings.md. */
#include "calendar.h"

#include <stdlib.h>
#include <string.h>

/* An event owns its title and its place: each is a block of its own, freed
 * with the event. */
typedef struct event {
    int day;
    char *title, *place;
} event;

struct calendar {
    event *events;
    size_t count, capacity;
};

/* Room for a few events at first; more doubles it. */
enum { FIRST_CAPACITY = 16 };

static char *copy_text(const char *text) {
    size_t size = strlen(text) + 1;
    char *copy = malloc(size);
    if (copy != NULL)
        memcpy(copy, text, size);
    return copy;
}

static void event_free(event *e) {
    free(e->title);
    free(e->place);
}

/* A new event on `day` with copies of `title` and `place`; false if memory
 * runs out, and then nothing is left allocated. */
static bool event_make(event *e, int day, const char *title, const char *place) {
    *e = (event){day, copy_text(title), copy_text(place)};
    if (e->title != NULL && e->place != NULL)
        return true;
    event_free(e);
    return false;
}

/* Makes room for `more` events; false if memory runs out. */
static bool reserve(calendar *cal, size_t more) {
    if (more > cal->capacity - cal->count) {
        size_t capacity = cal->capacity == 0 ? FIRST_CAPACITY : cal->capacity;
        while (capacity - cal->count < more)
            capacity *= 2;
        event *grown = realloc(cal->events, capacity * sizeof *grown);
        if (grown == NULL)
            return false;
        cal->events = grown;
        cal->capacity = capacity;
    }
    return true;
}

calendar *calendar_new(void) {
    calendar *cal = malloc(sizeof *cal);
    if (cal != NULL)
        *cal = (calendar){NULL, 0, 0};
    return cal;
}

void calendar_free(calendar *cal) {
    if (cal == NULL)
        return;
    for (size_t i = 0; i < cal->count; i++)
        event_free(&cal->events[i]);
    free(cal->events);
    free(cal);
}

bool calendar_add(calendar *cal, int day, const char *title, const char *place) {
    if (!reserve(cal, 1) || !event_make(&cal->events[cal->count], day, title, place))
        return false;
    cal->count++;
    return true;
}

bool calendar_repeat(calendar *cal, size_t index, int every, size_t times) {
    if (!reserve(cal, times))
        return false;
    const event *original = &cal->events[index];
    for (size_t made = 0; made < times; made++) {
        int day = original->day + (int)(made + 1) * every;
        if (!event_make(&cal->events[cal->count + made], day, original->title, original->place)) {
            while (made > 0)
                event_free(&cal->events[cal->count + --made]);
            return false;
        }
    }
    cal->count += times;
    return true;
}

bool calendar_rename(calendar *cal, size_t index, const char *title) {
    char *copy = copy_text(title);
    if (copy == NULL)
        return false;
    free(cal->events[index].title);
    cal->events[index].title = copy;
    return true;
}

void calendar_forget_before(calendar *cal, int day) {
    size_t kept = 0;
    for (size_t i = 0; i < cal->count; i++) {
        if (cal->events[i].day < day)
            event_free(&cal->events[i]);
        else
            cal->events[kept++] = cal->events[i];
    }
    cal->count = kept;
}

size_t calendar_count(const calendar *cal) { return cal->count; }
int calendar_day(const calendar *cal, size_t index) { return cal->events[index].day; }
const char *calendar_title(const calendar *cal, size_t index) { return cal->events[index].title; }
const char *calendar_place(const calendar *cal, size_t index) { return cal->events[index].place; }
