/* Exercise 12: Shared strings.  Correctness first, then memory. */
#define HB_SUITE_NAME "12-shared-strings"
#include "heapbook.h"

#include "calendar.h"
#include "team_year.h"

#include <stdio.h>
#include <string.h>

static calendar *new_calendar(void) {
    calendar *cal = calendar_new();
    HB_ASSERT_NOT_NULL_FATAL(cal);
    return cal;
}

static void assert_event(const calendar *cal, size_t i, int day, const char *title,
                         const char *place) {
    HB_ASSERT_EQ_FATAL(i < calendar_count(cal), true);
    HB_ASSERT_EQ(calendar_day(cal, i), day);
    HB_ASSERT_STR_EQ(calendar_title(cal, i), title);
    HB_ASSERT_STR_EQ(calendar_place(cal, i), place);
}

HB_TEST(test_add_events) {
    calendar *cal = new_calendar();
    HB_ASSERT_EQ(calendar_count(cal), 0);
    char title[] = "Planning", place[] = "Room 1";
    HB_ASSERT_EQ_FATAL(calendar_add(cal, 3, title, place), true);
    HB_ASSERT_EQ_FATAL(calendar_add(cal, 1, "Review", ""), true);
    /* The calendar keeps copies: changing the caller's strings changes nothing. */
    strcpy(title, "Changed");
    strcpy(place, "Gone!!");
    HB_ASSERT_EQ(calendar_count(cal), 2);
    assert_event(cal, 0, 3, "Planning", "Room 1");
    assert_event(cal, 1, 1, "Review", "");
    calendar_free(cal);
    calendar_free(NULL);
}

HB_TEST(test_repeat_weekly) {
    calendar *cal = new_calendar();
    HB_ASSERT_EQ_FATAL(calendar_add(cal, 2, "Stand-up", "Kitchen"), true);
    HB_ASSERT_EQ_FATAL(calendar_add(cal, 4, "Demo", "Canteen"), true);
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 0, 7, 3), true);
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 1, 14, 1), true);
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 1, 1, 0), true);
    HB_ASSERT_EQ_FATAL(calendar_count(cal), 6);
    assert_event(cal, 2, 9, "Stand-up", "Kitchen");
    assert_event(cal, 3, 16, "Stand-up", "Kitchen");
    assert_event(cal, 4, 23, "Stand-up", "Kitchen");
    assert_event(cal, 5, 18, "Demo", "Canteen");
    /* A repeat of a repeat. */
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 4, 7, 2), true);
    assert_event(cal, 6, 30, "Stand-up", "Kitchen");
    assert_event(cal, 7, 37, "Stand-up", "Kitchen");
    calendar_free(cal);
}

/* Many repeats at once: the calendar grows past its first guess. */
HB_TEST(test_repeat_many_times) {
    calendar *cal = new_calendar();
    HB_ASSERT_EQ_FATAL(calendar_add(cal, 0, "Daily check", "Desk"), true);
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 0, 1, 364), true);
    HB_ASSERT_EQ_FATAL(calendar_count(cal), 365);
    assert_event(cal, 364, 364, "Daily check", "Desk");
    calendar_free(cal);
}

HB_TEST(test_rename_one_event) {
    calendar *cal = new_calendar();
    HB_ASSERT_EQ_FATAL(calendar_add(cal, 0, "Retrospective", "Room 4"), true);
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 0, 14, 3), true);
    HB_ASSERT_EQ_FATAL(calendar_rename(cal, 2, "Retrospective (moved to the garden)"), true);
    assert_event(cal, 0, 0, "Retrospective", "Room 4");
    assert_event(cal, 1, 14, "Retrospective", "Room 4");
    assert_event(cal, 2, 28, "Retrospective (moved to the garden)", "Room 4");
    assert_event(cal, 3, 42, "Retrospective", "Room 4");
    /* The original renamed: its repeats keep the old title. */
    HB_ASSERT_EQ_FATAL(calendar_rename(cal, 0, "Retro"), true);
    assert_event(cal, 0, 0, "Retro", "Room 4");
    assert_event(cal, 1, 14, "Retrospective", "Room 4");
    /* A repeat of a renamed event has the new title. */
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 2, 1, 1), true);
    assert_event(cal, 4, 29, "Retrospective (moved to the garden)", "Room 4");
    calendar_free(cal);
}

HB_TEST(test_forget_past_events) {
    calendar *cal = new_calendar();
    HB_ASSERT_EQ_FATAL(calendar_add(cal, 0, "Weekly", "Room 1"), true);
    HB_ASSERT_EQ_FATAL(calendar_add(cal, 3, "Once", "Room 2"), true);
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 0, 7, 4), true);
    HB_ASSERT_EQ_FATAL(calendar_rename(cal, 3, "Weekly, but longer"), true);
    calendar_forget_before(cal, 7);
    HB_ASSERT_EQ_FATAL(calendar_count(cal), 4);
    assert_event(cal, 0, 7, "Weekly", "Room 1");
    assert_event(cal, 1, 14, "Weekly, but longer", "Room 1");
    assert_event(cal, 3, 28, "Weekly", "Room 1");
    /* What is left can still be repeated and renamed. */
    HB_ASSERT_EQ_FATAL(calendar_repeat(cal, 3, 7, 1), true);
    assert_event(cal, 4, 35, "Weekly", "Room 1");
    calendar_forget_before(cal, 30);
    HB_ASSERT_EQ_FATAL(calendar_count(cal), 1);
    assert_event(cal, 0, 35, "Weekly", "Room 1");
    calendar_forget_before(cal, 100);
    HB_ASSERT_EQ(calendar_count(cal), 0);
    calendar_free(cal);
}

/* ---- Out of memory ------------------------------------------------------ */

/* Builds a small calendar and changes it, with each allocation made to fail
 * in turn: whatever fails leaves the calendar as it was.  Every public
 * function that allocates is called, on shared and on unshared texts. */
static void plan_while_memory_runs_out(void) {
    calendar *cal = calendar_new();
    if (cal == NULL)
        return;
    if (calendar_add(cal, 1, "Sprint review", "Room 4.12, fourth floor")) {
        size_t expected = calendar_repeat(cal, 0, 7, 20) ? 21 : 1;
        HB_ASSERT_EQ(calendar_count(cal), expected);
        assert_event(cal, expected - 1, 1 + 7 * ((int)expected - 1), "Sprint review",
                     "Room 4.12, fourth floor");
        if (calendar_rename(cal, 0, "Sprint review, the long one"))
            HB_ASSERT_STR_EQ(calendar_title(cal, 0), "Sprint review, the long one");
        else
            HB_ASSERT_STR_EQ(calendar_title(cal, 0), "Sprint review");
        if (expected == 21)
            assert_event(cal, 20, 141, "Sprint review", "Room 4.12, fourth floor");
        calendar_forget_before(cal, 8);
    }
    /* A title no other event shares: a rename that fails must leave it
     * held, not given back before the copy that failed. */
    if (calendar_add(cal, 30, "Retro", "Garden")) {
        size_t retro = calendar_count(cal) - 1;
        if (calendar_rename(cal, retro, "Retrospective, in the garden"))
            assert_event(cal, retro, 30, "Retrospective, in the garden", "Garden");
        else
            assert_event(cal, retro, 30, "Retro", "Garden");
    }
    calendar_free(cal);
}

HB_TEST(test_out_of_memory_changes_nothing) { hb_fail_each_allocation(plan_while_memory_runs_out); }

/* ---- Memory ------------------------------------------------------------- */

/* Twenty weekly meetings for a year: 1060 events, 20 titles and 20
 * places. */
HB_MEMORY_TEST(test_team_year_memory, .peak = "64 KiB", .leaks = "0 B") {
    calendar *cal = new_calendar();
    HB_ASSERT_EQ_FATAL(plan_team_year(cal), true);
    HB_ASSERT_EQ_FATAL(calendar_count(cal), TEAM_MEETINGS * TEAM_WEEKS);
    for (size_t m = 0; m < TEAM_MEETINGS; m++)
        for (size_t week = 0; week < TEAM_WEEKS; week += 13)
            assert_event(cal, m * TEAM_WEEKS + week, team_meeting_day(m) + 7 * (int)week,
                         team_meeting_title(m), team_meeting_place(m));
    calendar_free(cal);
}

/* A meeting's title and place, made up from its number and the run's tag;
 * a place is shared by every seventh meeting. */
static const char *random_title(unsigned meeting, unsigned tag, char title[80]) {
    snprintf(title, 80, "Meeting %u of project %u: progress, risks and next steps", meeting, tag);
    return title;
}
static const char *random_place(unsigned meeting, char place[80]) {
    snprintf(place, 80, "Building %u, room %u, and the video call", meeting % 7, 100 + meeting % 7);
    return place;
}

/* From 15 to 30 meetings, each held from 40 to 66 times, 1 to 14 days
 * apart, drawn on every run: 600 to 1980 events.  One of them renamed and
 * every one checked, then the first half of the time forgotten. */
HB_MEMORY_TEST(test_random_year_memory, .peak = "64 KiB", .leaks = "0 B") {
    unsigned meetings = (unsigned)hb_random_named("meetings", 15, 30),
             times = (unsigned)hb_random_named("weeks", 40, 66);
    unsigned every = (unsigned)hb_random_named("every N days", 1, 14),
             tag = (unsigned)hb_random_named("tag", 1, 9999);
    char title[80], place[80];
    calendar *cal = new_calendar();
    for (unsigned m = 0; m < meetings; m++) {
        size_t first = calendar_count(cal);
        HB_ASSERT_EQ_FATAL(
            calendar_add(cal, (int)m, random_title(m, tag, title), random_place(m, place)), true);
        HB_ASSERT_EQ_FATAL(calendar_repeat(cal, first, (int)every, times - 1), true);
    }
    HB_ASSERT_EQ_FATAL(calendar_count(cal), meetings * times);
    unsigned renamed = (unsigned)hb_random_named("renamed event", 0, meetings * times - 1);
    HB_ASSERT_EQ_FATAL(calendar_rename(cal, renamed, "Cancelled: see the mailing list"), true);
    for (unsigned i = 0; i < meetings * times; i++) {
        unsigned m = i / times;
        assert_event(cal, i, (int)(m + i % times * every),
                     i == renamed ? "Cancelled: see the mailing list" : random_title(m, tag, title),
                     random_place(m, place));
    }
    calendar_forget_before(cal, (int)(every * times / 2));
    for (size_t i = 0; i < calendar_count(cal); i++)
        HB_ASSERT_EQ_FATAL(calendar_day(cal, i) >= (int)(every * times / 2), true);
    calendar_free(cal);
}

/* Ten years of fortnightly sprints: each sprint's review, with a title of
 * its own, is planned on four days in a row, and every two weeks the past
 * is forgotten.  Only what is still planned may be held, not every title
 * the calendar ever saw. */
HB_MEMORY_TEST(test_rolling_plan_memory, .peak = "4 KiB", .leaks = "0 B") {
    char title[80];
    calendar *cal = new_calendar();
    for (int sprint = 0; sprint < 260; sprint++) {
        snprintf(title, sizeof title, "Sprint %d review: what we built, shown to whoever comes",
                 sprint);
        size_t first = calendar_count(cal);
        HB_ASSERT_EQ_FATAL(calendar_add(cal, 14 * sprint + 13, title, "Demo corner"), true);
        HB_ASSERT_EQ_FATAL(calendar_repeat(cal, first, 1, 3), true);
        calendar_forget_before(cal, 14 * sprint);
        HB_ASSERT_STR_EQ(calendar_title(cal, calendar_count(cal) - 1), title);
    }
    calendar_free(cal);
}
