#include "calendar.h"

#include <stdlib.h>
#include <string.h>

/* Every text the calendar has made, in one list of its own; events point
 * at them, and the calendar frees them all when it is freed (the mistake:
 * not before, so a title no event has any more stays until then). */
typedef struct event {
    int day;
    const char *title, *place;
} event;

struct calendar {
    event *events;
    size_t count, capacity;
    char **texts;
    size_t text_count, text_capacity;
};

/* Room for a few events at first; more doubles it. */
enum { FIRST_CAPACITY = 16 };

/* A new text in the calendar's list; NULL if memory runs out. */
static const char *text_new(calendar *cal, const char *bytes) {
    if (cal->text_count == cal->text_capacity) {
        size_t capacity = cal->text_capacity == 0 ? FIRST_CAPACITY : 2 * cal->text_capacity;
        char **grown = realloc(cal->texts, capacity * sizeof *grown);
        if (grown == NULL)
            return NULL;
        cal->texts = grown;
        cal->text_capacity = capacity;
    }
    size_t size = strlen(bytes) + 1;
    char *text = malloc(size);
    if (text == NULL)
        return NULL;
    memcpy(text, bytes, size);
    return cal->texts[cal->text_count++] = text;
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
        *cal = (calendar){NULL, 0, 0, NULL, 0, 0};
    return cal;
}

void calendar_free(calendar *cal) {
    if (cal == NULL)
        return;
    for (size_t i = 0; i < cal->text_count; i++)
        free(cal->texts[i]);
    free(cal->texts);
    free(cal->events);
    free(cal);
}

bool calendar_add(calendar *cal, int day, const char *title, const char *place) {
    if (!reserve(cal, 1))
        return false;
    event e = {day, text_new(cal, title), text_new(cal, place)};
    if (e.title == NULL || e.place == NULL)
        return false;
    cal->events[cal->count++] = e;
    return true;
}

/* A repeat points at the original's texts. */
bool calendar_repeat(calendar *cal, size_t index, int every, size_t times) {
    if (!reserve(cal, times))
        return false;
    const event *original = &cal->events[index];
    for (size_t made = 1; made <= times; made++)
        cal->events[cal->count + made - 1] =
            (event){original->day + (int)made * every, original->title, original->place};
    cal->count += times;
    return true;
}

bool calendar_rename(calendar *cal, size_t index, const char *title) {
    const char *text = text_new(cal, title);
    if (text == NULL)
        return false;
    cal->events[index].title = text;
    return true;
}

void calendar_forget_before(calendar *cal, int day) {
    size_t kept = 0;
    for (size_t i = 0; i < cal->count; i++) {
        if (cal->events[i].day >= day)
            cal->events[kept++] = cal->events[i];
    }
    cal->count = kept;
}

size_t calendar_count(const calendar *cal) { return cal->count; }
int calendar_day(const calendar *cal, size_t index) { return cal->events[index].day; }
const char *calendar_title(const calendar *cal, size_t index) { return cal->events[index].title; }
const char *calendar_place(const calendar *cal, size_t index) { return cal->events[index].place; }
