// Study-day arithmetic against the system's time-zone database: the 05:00 boundary, other
// zones, both daylight-saving jumps (also with the boundary inside the jump), midnight, a
// change of time zone, and overlapping intervals counted once.
#include <glib.h>
#include <gtest/gtest.h>

#include "DayBoundary.hpp"
#include "IntervalUnion.hpp"
#include "StudyStats.hpp"

using namespace carrel::control;

namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kMin = 60 * 1000;

// Unix ms of a UTC wall time, computed by GLib rather than by the code under test.
int64_t utc(int y, int mo, int d, int h, int mi = 0, int s = 0) {
  GDateTime* t = g_date_time_new_utc(y, mo, d, h, mi, s);
  int64_t ms = g_date_time_to_unix(t) * 1000;
  g_date_time_unref(t);
  return ms;
}

int64_t day(const char* text) {
  return *DayBoundary::parseDay(text);
}

DayBoundary zone(const char* name, int minutes = DayBoundary::kDefaultMinutes) {
  auto b = DayBoundary::make(name, minutes);
  EXPECT_TRUE(b.has_value()) << name;
  return *b;
}

}  // namespace

TEST(ControlDayBoundary, DefaultBoundaryIsFiveInTheMorning) {
  DayBoundary u = zone("UTC");
  EXPECT_EQ(u.dayOf(utc(2026, 11, 23, 4, 59, 59)), day("2026-11-22"));
  EXPECT_EQ(u.dayOf(utc(2026, 11, 23, 4, 59, 59) + 999), day("2026-11-22"));
  EXPECT_EQ(u.dayOf(utc(2026, 11, 23, 5)), day("2026-11-23"));
  EXPECT_EQ(u.dayOf(utc(2026, 11, 23, 0, 30)), day("2026-11-22"));  // after midnight: yesterday
  EXPECT_EQ(u.dayStartMs(day("2026-11-23")), utc(2026, 11, 23, 5));
}

TEST(ControlDayBoundary, FollowsTheUsersTimeZone) {
  DayBoundary berlin = zone("Europe/Berlin");  // +01:00 in winter
  EXPECT_EQ(berlin.dayStartMs(day("2026-01-15")), utc(2026, 1, 15, 4));
  EXPECT_EQ(berlin.dayOf(utc(2026, 1, 15, 3, 59)), day("2026-01-14"));
  EXPECT_EQ(berlin.dayOf(utc(2026, 1, 15, 4)), day("2026-01-15"));
  DayBoundary tokyo = zone("Asia/Tokyo");  // +09:00: 05:00 there is 20:00 UTC the day before
  EXPECT_EQ(tokyo.dayStartMs(day("2026-01-15")), utc(2026, 1, 14, 20));
  DayBoundary kathmandu = zone("Asia/Kathmandu");  // +05:45
  EXPECT_EQ(kathmandu.dayStartMs(day("2026-01-15")), utc(2026, 1, 14, 23, 15));
  DayBoundary la = zone("America/Los_Angeles");  // -08:00 in winter
  EXPECT_EQ(la.dayOf(utc(2026, 1, 15, 12, 59)), day("2026-01-14"));
  EXPECT_EQ(la.dayOf(utc(2026, 1, 15, 13)), day("2026-01-15"));
}

TEST(ControlDayBoundary, RefusesUnknownZonesAndBoundaries) {
  EXPECT_FALSE(DayBoundary::make("Mars/Olympus_Mons").has_value());
  EXPECT_FALSE(DayBoundary::make("../../etc/passwd").has_value());
  EXPECT_FALSE(DayBoundary::make("").has_value());
  EXPECT_FALSE(DayBoundary::make(std::string(65, 'A')).has_value());
  EXPECT_FALSE(DayBoundary::make("UTC", -1).has_value());
  EXPECT_FALSE(DayBoundary::make("UTC", 24 * 60).has_value());
  EXPECT_TRUE(DayBoundary::make("UTC", 0).has_value());
  EXPECT_TRUE(DayBoundary::make("UTC", 23 * 60 + 59).has_value());
}

TEST(ControlDayBoundary, SpringForwardMakesA23HourDay) {
  DayBoundary berlin = zone("Europe/Berlin");  // 2026-03-29 02:00 CET -> 03:00 CEST
  EXPECT_EQ(berlin.dayStartMs(day("2026-03-28")), utc(2026, 3, 28, 4));
  EXPECT_EQ(berlin.dayStartMs(day("2026-03-29")), utc(2026, 3, 29, 3));
  auto pieces = berlin.split(utc(2026, 3, 28, 4), utc(2026, 3, 29, 4));
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0], (DayPiece{day("2026-03-28"), utc(2026, 3, 28, 4), utc(2026, 3, 29, 3)}));
  EXPECT_EQ(pieces[0].toMs - pieces[0].fromMs, 23 * kHour);
  EXPECT_EQ(pieces[1].toMs - pieces[1].fromMs, 1 * kHour);
}

TEST(ControlDayBoundary, FallBackMakesA25HourDay) {
  DayBoundary berlin = zone("Europe/Berlin");  // 2026-10-25 03:00 CEST -> 02:00 CET
  EXPECT_EQ(berlin.dayStartMs(day("2026-10-24")), utc(2026, 10, 24, 3));
  EXPECT_EQ(berlin.dayStartMs(day("2026-10-25")), utc(2026, 10, 25, 4));
  auto pieces = berlin.split(utc(2026, 10, 24, 3), utc(2026, 10, 25, 4));
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].toMs - pieces[0].fromMs, 25 * kHour);
}

TEST(ControlDayBoundary, BoundaryInsideTheSpringGapStartsTheDayAtTheJump) {
  DayBoundary berlin = zone("Europe/Berlin", 2 * 60 + 30);  // 02:30 never shows on 03-29
  EXPECT_EQ(berlin.dayStartMs(day("2026-03-29")), utc(2026, 3, 29, 1));
  EXPECT_EQ(berlin.dayOf(utc(2026, 3, 29, 1) - 1), day("2026-03-28"));
  EXPECT_EQ(berlin.dayOf(utc(2026, 3, 29, 1)), day("2026-03-29"));
}

TEST(ControlDayBoundary, BoundaryShownTwiceStartsTheDayTheFirstTime) {
  DayBoundary berlin = zone("Europe/Berlin", 2 * 60 + 30);  // 02:30 shows twice on 10-25
  EXPECT_EQ(berlin.dayStartMs(day("2026-10-25")), utc(2026, 10, 25, 0, 30));
  // The second 02:30..02:59 (CET) is the same day, not a return to the previous one.
  EXPECT_EQ(berlin.dayOf(utc(2026, 10, 25, 1, 45)), day("2026-10-25"));
  EXPECT_EQ(berlin.dayOf(utc(2026, 10, 25, 0, 29)), day("2026-10-24"));
  auto pieces = berlin.split(utc(2026, 10, 25, 0), utc(2026, 10, 25, 2));
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[1].day, day("2026-10-25"));
  EXPECT_EQ(pieces[1].fromMs, utc(2026, 10, 25, 0, 30));
}

TEST(ControlDayBoundary, HalfHourDaylightSaving) {
  DayBoundary lordHowe = zone("Australia/Lord_Howe", 2 * 60);  // 2026-10-04 02:00 -> 02:30
  EXPECT_EQ(lordHowe.dayStartMs(day("2026-10-04")), utc(2026, 10, 3, 15, 30));
  // The jump itself is the boundary, so the day before keeps 24 hours and this one loses 30 min.
  EXPECT_EQ(lordHowe.dayStartMs(day("2026-10-04")) - lordHowe.dayStartMs(day("2026-10-03")),
            24 * kHour);
  EXPECT_EQ(lordHowe.dayStartMs(day("2026-10-05")) - lordHowe.dayStartMs(day("2026-10-04")),
            24 * kHour - 30 * kMin);
}

TEST(ControlDayBoundary, MidnightBoundaryAndAJumpAtMidnight) {
  DayBoundary u = zone("UTC", 0);
  auto pieces = u.split(utc(2026, 11, 22, 23), utc(2026, 11, 23, 1));
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0], (DayPiece{day("2026-11-22"), utc(2026, 11, 22, 23), utc(2026, 11, 23, 0)}));
  EXPECT_EQ(pieces[1], (DayPiece{day("2026-11-23"), utc(2026, 11, 23, 0), utc(2026, 11, 23, 1)}));
  // Santiago skips from 23:59:59 on 09-05 to 01:00 on 09-06: that day starts at the jump.
  DayBoundary santiago = zone("America/Santiago", 0);
  EXPECT_EQ(santiago.dayStartMs(day("2026-09-06")), utc(2026, 9, 6, 4));
  EXPECT_EQ(santiago.dayOf(utc(2026, 9, 6, 4) - 1), day("2026-09-05"));
  // and on 04-04 shows 23:00..23:59 twice: a 25-hour 04-04.
  EXPECT_EQ(santiago.dayStartMs(day("2026-04-05")) - santiago.dayStartMs(day("2026-04-04")),
            25 * kHour);
}

TEST(ControlDayBoundary, ALongIntervalSplitsIntoWholeDays) {
  DayBoundary u = zone("UTC");
  auto pieces = u.split(utc(2026, 11, 20, 22), utc(2026, 11, 23, 7));
  ASSERT_EQ(pieces.size(), 4u);
  int64_t sum = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    EXPECT_EQ(pieces[i].day, day("2026-11-20") + static_cast<int64_t>(i));
    if (i) {
      EXPECT_EQ(pieces[i].fromMs, pieces[i - 1].toMs);
    }
    sum += pieces[i].toMs - pieces[i].fromMs;
  }
  EXPECT_EQ(sum, utc(2026, 11, 23, 7) - utc(2026, 11, 20, 22));
  EXPECT_TRUE(u.split(utc(2026, 1, 1, 0), utc(2026, 1, 1, 0)).empty());
  EXPECT_TRUE(u.split(utc(2026, 1, 1, 1), utc(2026, 1, 1, 0)).empty());
}

TEST(ControlDayBoundary, ATimeZoneChangeNeverReopensAFinishedDay) {
  // Studied in Tokyo until 21:00 UTC (06:00 on the 24th there: day 24 already credited),
  // then flew to Los Angeles, where the clock shows 13:00 on the 23rd.
  DayBoundary tokyo = zone("Asia/Tokyo");
  DayBoundary la = zone("America/Los_Angeles");
  auto before = tokyo.split(utc(2026, 11, 23, 19), utc(2026, 11, 23, 21));
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before.back().day, day("2026-11-24"));
  int64_t credited = before.back().day;
  EXPECT_EQ(la.dayOf(utc(2026, 11, 24, 2)), day("2026-11-23"));
  auto after = la.split(utc(2026, 11, 24, 2), utc(2026, 11, 24, 4), credited);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0], (DayPiece{day("2026-11-24"), utc(2026, 11, 24, 2), utc(2026, 11, 24, 4)}));
  // Later the Los Angeles days catch up and go on as usual.
  auto later = la.split(utc(2026, 11, 25, 12), utc(2026, 11, 25, 14), credited);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].day, day("2026-11-24"));
  EXPECT_EQ(later[1], (DayPiece{day("2026-11-25"), utc(2026, 11, 25, 13), utc(2026, 11, 25, 14)}));
  // Westward to eastward: the new zone's day is simply later; nothing is clamped.
  auto east = tokyo.split(utc(2026, 11, 26, 0), utc(2026, 11, 26, 1), day("2026-11-25"));
  ASSERT_EQ(east.size(), 1u);
  EXPECT_EQ(east[0].day, day("2026-11-26"));
}

TEST(ControlDayBoundary, CalendarHelpers) {
  EXPECT_EQ(DayBoundary::dayString(0), "1970-01-01");
  EXPECT_EQ(DayBoundary::parseDay("1970-01-01"), 0);
  EXPECT_EQ(DayBoundary::dayString(day("2028-02-29")), "2028-02-29");
  EXPECT_FALSE(DayBoundary::parseDay("2026-02-29").has_value());
  EXPECT_FALSE(DayBoundary::parseDay("2026-13-01").has_value());
  EXPECT_FALSE(DayBoundary::parseDay("2026-1-01").has_value());
  EXPECT_FALSE(DayBoundary::parseDay("2026-01-0x").has_value());
  EXPECT_EQ(DayBoundary::weekStart(day("2026-11-23")), day("2026-11-23"));  // a Monday
  EXPECT_EQ(DayBoundary::weekStart(day("2026-11-29")), day("2026-11-23"));  // Sunday
  EXPECT_EQ(DayBoundary::weekStart(day("1969-12-31")), day("1969-12-29"));
  EXPECT_EQ(DayBoundary::monthStart(day("2026-11-23")), day("2026-11-01"));
  EXPECT_EQ(DayBoundary::dayString(day("1969-12-31")), "1969-12-31");
}

TEST(ControlIntervalUnion, OverlapsCountOnce) {
  EXPECT_TRUE(IntervalUnion::of({}).empty());
  auto u = IntervalUnion::of({{10, 20}, {15, 30}, {40, 50}, {30, 35}, {5, 5}, {60, 55}});
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0], (Span{10, 35}));
  EXPECT_EQ(u[1], (Span{40, 50}));
  EXPECT_EQ(IntervalUnion::totalMs({{0, 100}, {10, 20}, {90, 110}}), 110);
  EXPECT_EQ(IntervalUnion::totalMs({{0, 10}, {20, 30}}), 20);
}

TEST(ControlStudyStats, SumsAndStreaks) {
  int64_t d = day("2026-11-23");
  StudyStats::Days days{{d - 3, 2 * kHour}, {d - 2, 3 * kHour}, {d - 1, 2 * kHour}, {d, kHour}};
  EXPECT_EQ(StudyStats::sum(days, d - 2, d - 1), 5 * kHour);
  EXPECT_EQ(StudyStats::sum(days, d + 1, d + 9), 0);
  // Today's hour is short of a two-hour goal: the streak still counts up to yesterday.
  EXPECT_EQ(StudyStats::streak(days, 2 * kHour, d), 3);
  days[d] = 2 * kHour;
  EXPECT_EQ(StudyStats::streak(days, 2 * kHour, d), 4);
  // A day short of the goal breaks it.
  days[d - 2] = 90 * kMin;
  EXPECT_EQ(StudyStats::streak(days, 2 * kHour, d), 2);
  EXPECT_EQ(StudyStats::streak(days, 0, d), 4);
  EXPECT_EQ(StudyStats::streak({}, 2 * kHour, d), 0);
  // Yesterday missed and today not reached: no streak.
  EXPECT_EQ(StudyStats::streak({{d - 2, 5 * kHour}, {d, kMin}}, 2 * kHour, d), 0);
}
