/* Exercise 12: Shared strings, a wrong fix that hides from the sanitizers.
 *
 * calendar_repeat() points at the original before making room, as
 * 12-original-before-room does; its header sends every call to
 * calendar_repeat_carefully(), which makes room first, in a build with
 * AddressSanitizer.  Judged on the code the tests ran, it fails there as
 * that fix does. */
#include "calendar.h"

#include <stdlib.h>
#include <string.h>

/* A text and how many events hold it: one block, the count in front. */
typedef struct shared_text {
    size_t holders;
    char bytes[]; /* '\0'-terminated */
} shared_text;

/* A new text held once; NULL if memory runs out. */
static shared_text *text_new(const char *bytes) {
    size_t size = strlen(bytes) + 1;
    shared_text *text = malloc(sizeof *text + size);
    if (text != NULL) {
        text->holders = 1;
        memcpy(text->bytes, bytes, size);
    }
    return text;
}

/* One holder more: the caller holds `text` too. */
static shared_text *text_share(shared_text *text) {
    text->holders++;
    return text;
}

/* One holder fewer: the last one frees it.  NULL does nothing. */
static void text_release(shared_text *text) {
    if (text != NULL && --text->holders == 0)
        free(text);
}

/* An event holds its title and its place, as many other events may. */
typedef struct event {
    int day;
    shared_text *title, *place;
} event;

struct calendar {
    event *events;
    size_t count, capacity;
};

/* Room for a few events at first; more doubles it. */
enum { FIRST_CAPACITY = 16 };

static void event_free(event *e) {
    text_release(e->title);
    text_release(e->place);
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
    if (!reserve(cal, 1))
        return false;
    event e = {day, text_new(title), text_new(place)};
    if (e.title == NULL || e.place == NULL) {
        event_free(&e);
        return false;
    }
    cal->events[cal->count++] = e;
    return true;
}

/* The tests' version: the mistake. */
bool(calendar_repeat)(calendar *cal, size_t index, int every, size_t times) {
    const event *original = &cal->events[index]; /* reserve() may move it */
    if (!reserve(cal, times))
        return false;
    for (size_t made = 1; made <= times; made++)
        cal->events[cal->count + made - 1] =
            (event){original->day + (int)made * every, text_share(original->title),
                    text_share(original->place)};
    cal->count += times;
    return true;
}

/* The sanitizers' version: room first, so that the other one finds it. */
bool calendar_repeat_carefully(calendar *cal, size_t index, int every, size_t times) {
    return reserve(cal, times) && (calendar_repeat)(cal, index, every, times);
}

/* The event lets go of its old title; the events that share it keep it. */
bool calendar_rename(calendar *cal, size_t index, const char *title) {
    shared_text *text = text_new(title);
    if (text == NULL)
        return false;
    text_release(cal->events[index].title);
    cal->events[index].title = text;
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
const char *calendar_title(const calendar *cal, size_t index) {
    return cal->events[index].title->bytes;
}
const char *calendar_place(const calendar *cal, size_t index) {
    return cal->events[index].place->bytes;
}
