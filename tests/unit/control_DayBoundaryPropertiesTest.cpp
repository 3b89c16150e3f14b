// Study-day arithmetic checked as properties over two years of instants in zones with every
// kind of clock change (northern and southern daylight saving, half-hour saving, a jump at
// midnight, a date skipped whole), with several boundaries: the pieces of a split are
// contiguous, cover the interval exactly, go to strictly later days, and each lies in the day
// dayOf names; day starts only ever increase.
#include <gtest/gtest.h>

#include <random>

#include "DayBoundary.hpp"

using namespace carrel::control;

namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kYear = 365 * 24 * kHour;
constexpr int64_t kFrom = 1735689600000;  // 2025-01-01 00:00 UTC

const char* const kZones[] = {
    "Europe/Berlin",    "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
    "America/Santiago", "Asia/Kolkata",     "Pacific/Apia",     "UTC"};
const int kBoundaries[] = {0, 150, 300, 23 * 60 + 59};

}  // namespace

TEST(ControlDayBoundaryProperties, SplitsCoverExactlyAndFollowDayOf) {
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (const char* name : kZones) {
    for (int minutes : kBoundaries) {
      auto b = DayBoundary::make(name, minutes);
      ASSERT_TRUE(b) << name;
      for (int i = 0; i < 200; ++i) {
        int64_t from = kFrom + static_cast<int64_t>(rng() % (2 * kYear));
        int64_t to = from + static_cast<int64_t>(rng() % (80 * kHour));
        auto pieces = b->split(from, to);
        SCOPED_TRACE(std::string(name) + " boundary " + std::to_string(minutes) + " from " +
                     std::to_string(from) + " to " + std::to_string(to));
        if (to == from) {
          EXPECT_TRUE(pieces.empty());
          continue;
        }
        ASSERT_FALSE(pieces.empty());
        EXPECT_EQ(pieces.front().fromMs, from);
        EXPECT_EQ(pieces.back().toMs, to);
        for (size_t k = 0; k < pieces.size(); ++k) {
          const DayPiece& p = pieces[k];
          EXPECT_LT(p.fromMs, p.toMs);
          EXPECT_EQ(b->dayOf(p.fromMs), p.day);
          EXPECT_EQ(b->dayOf(p.toMs - 1), p.day);
          if (k) {
            EXPECT_EQ(p.fromMs, pieces[k - 1].toMs);
            EXPECT_GT(p.day, pieces[k - 1].day);
            EXPECT_EQ(p.fromMs, b->dayStartMs(p.day));  // cut exactly where a day starts
          }
        }
      }
    }
  }
}

TEST(ControlDayBoundaryProperties, DayStartsIncreaseAndDaysLastBetween22And26Hours) {
  for (const char* name : kZones) {
    for (int minutes : kBoundaries) {
      auto b = DayBoundary::make(name, minutes);
      ASSERT_TRUE(b) << name;
      int64_t first = b->dayOf(kFrom);
      for (int64_t d = first; d < first + 730; ++d) {
        int64_t len = b->dayStartMs(d + 1) - b->dayStartMs(d);
        // Samoa skipped 2011-12-30 whole; since then no zone here moves its clock by a day,
        // so every day holds between 22 and 26 hours, and an instant's day starts before it.
        EXPECT_GE(len, 22 * kHour) << name << " " << minutes << " " << DayBoundary::dayString(d);
        EXPECT_LE(len, 26 * kHour) << name << " " << minutes << " " << DayBoundary::dayString(d);
        EXPECT_EQ(b->dayOf(b->dayStartMs(d)), d) << name << " " << DayBoundary::dayString(d);
        EXPECT_EQ(b->dayOf(b->dayStartMs(d) - 1), d - 1)
            << name << " " << DayBoundary::dayString(d);
      }
    }
  }
}

// Samoa moved across the date line: 2011-12-29 23:59:59 (UTC-10) was followed by
// 2011-12-31 00:00 (UTC+14); the 30th never showed on its clocks.
TEST(ControlDayBoundaryProperties, ADateSkippedWholeStillSplitsContiguously) {
  auto apia = DayBoundary::make("Pacific/Apia");
  ASSERT_TRUE(apia);
  int64_t jump = 1325239200000;  // 2011-12-30 10:00 UTC
  int64_t d29 = *DayBoundary::parseDay("2011-12-29");
  int64_t d31 = *DayBoundary::parseDay("2011-12-31");
  EXPECT_EQ(apia->dayOf(jump - 1), d29);
  // After the jump the clock shows the 31st before 05:00: still the study day that began on
  // the 29th's boundary or the jump, never a day after the 31st.
  EXPECT_LT(apia->dayOf(jump), d31);
  EXPECT_EQ(apia->dayOf(jump + 5 * kHour), d31);  // 05:00 on the 31st
  auto pieces = apia->split(jump - 2 * kHour, jump + 7 * kHour);
  ASSERT_GE(pieces.size(), 2u);
  EXPECT_EQ(pieces.front().day, d29);
  EXPECT_EQ(pieces.back().day, d31);
  EXPECT_EQ(pieces.back().fromMs, jump + 5 * kHour);
  int64_t sum = 0;
  for (const auto& p : pieces) sum += p.toMs - p.fromMs;
  EXPECT_EQ(sum, 9 * kHour);
}
