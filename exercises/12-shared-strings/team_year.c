/* Exercise 12: a team's year of meetings.  Scaffolding, not part of the
 * exercise. */
#include "team_year.h"

static const struct {
    const char *title, *place;
} meetings[TEAM_MEETINGS] = {
    {"Monday planning: the week ahead for the platform team",
     "Room 4.12, fourth floor, north wing"},
    {"Stand-up: what moved yesterday and what is stuck", "By the whiteboard near the kitchen"},
    {"Code review: the week's largest pull requests", "Room 2.03, and the video call for others"},
    {"Incident review: what broke, why, and what we change", "Room 4.12, fourth floor, north wing"},
    {"Design discussion: the next version of the storage layer", "The library, second floor"},
    {"One-to-one with the team lead, thirty minutes each", "The small room behind the reception"},
    {"Lunch and learn: a colleague presents a tool they like",
     "The canteen, the long table by the window"},
    {"Release planning with the product and support teams", "Conference room A, ground floor"},
    {"Security office hours: bring your questions", "Room 3.07, third floor, south wing"},
    {"On-call handover: open alerts, runbooks and surprises", "The video call, cameras optional"},
    {"Backlog grooming: estimates for the coming sprint",
     "Room 2.03, and the video call for others"},
    {"Architecture guild: cross-team decisions and records", "Conference room B, first floor"},
    {"Customer feedback review with the support engineers", "The support floor, meeting corner"},
    {"Performance clinic: profiles, flame graphs, fixes", "Room 3.07, third floor, south wing"},
    {"Documentation day: tutorials, references, examples", "The library, second floor"},
    {"Hiring sync: candidates, interviews and feedback", "The small room behind the reception"},
    {"Retrospective: what went well and what to change", "Room 4.12, fourth floor, north wing"},
    {"Demo afternoon: what every team shipped this week",
     "The canteen, the long table by the window"},
    {"Mentoring circle for the newest engineers", "Conference room B, first floor"},
    {"Friday wrap-up: the week in five minutes each", "By the whiteboard near the kitchen"},
};

const char *team_meeting_title(size_t meeting) { return meetings[meeting].title; }
const char *team_meeting_place(size_t meeting) { return meetings[meeting].place; }
int team_meeting_day(size_t meeting) { return (int)(meeting % 5); }

bool plan_team_year(calendar *cal) {
    for (size_t m = 0; m < TEAM_MEETINGS; m++) {
        size_t first = calendar_count(cal);
        if (!calendar_add(cal, team_meeting_day(m), meetings[m].title, meetings[m].place) ||
            !calendar_repeat(cal, first, 7, TEAM_WEEKS - 1))
            return false;
    }
    return true;
}
