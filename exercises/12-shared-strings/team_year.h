/* Exercise 12: a team's year of meetings, the memory test's calendar.  Part
 * of the exercise's scaffolding: you do not need to change it. */
#ifndef TEAM_YEAR_H
#define TEAM_YEAR_H

#include "calendar.h"

/* Each meeting is held once a week for TEAM_WEEKS weeks. */
enum { TEAM_MEETINGS = 20, TEAM_WEEKS = 53 };

/* Meeting `meeting` (0 to TEAM_MEETINGS - 1): its title, its place and the
 * day of its first week it is held on (0 to 4, Monday to Friday). */
const char *team_meeting_title(size_t meeting);
const char *team_meeting_place(size_t meeting);
int team_meeting_day(size_t meeting);

/* Adds the team's year to `cal`, meeting after meeting: each one on its day
 * of the first week, then repeated every 7 days for the other weeks.  So
 * week w's (from 0) occurrence of meeting m is event m * TEAM_WEEKS + w.
 * False if memory runs out. */
bool plan_team_year(calendar *cal);

#endif
