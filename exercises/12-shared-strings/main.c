/* Exercise 12 as a program, to run under a debugger or heapbook:
 *
 *     build/exercises/12-shared-strings/program [WEEK]
 *
 * plans the team's year (team_year.c) and prints the meetings of week WEEK
 * (1 to 53; default 1), day by day.
 */
#include "calendar.h"
#include "team_year.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const weekdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};

int main(int argc, char **argv) {
    char *end = NULL;
    long week = argc == 2 ? strtol(argv[1], &end, 10) : 1;
    if (argc > 2 || (end != NULL && (*end != '\0' || end == argv[1])) || week < 1 ||
        week > TEAM_WEEKS) {
        fprintf(stderr, "usage: %s [WEEK]   (WEEK from 1 to %d)\n", argv[0], TEAM_WEEKS);
        return 2;
    }
    calendar *cal = calendar_new();
    if (cal == NULL || !plan_team_year(cal)) {
        fprintf(stderr, "calendar: out of memory\n");
        calendar_free(cal);
        return 1;
    }
    int first_day = (int)(week - 1) * 7;
    printf("Week %ld of %zu events:\n", week, calendar_count(cal));
    for (int day = first_day; day < first_day + 7; day++)
        for (size_t i = 0; i < calendar_count(cal); i++)
            if (calendar_day(cal, i) == day)
                printf("  %-9s %s (%s)\n", weekdays[day % 7], calendar_title(cal, i),
                       calendar_place(cal, i));
    calendar_free(cal);
    return 0;
}
