// A user's study totals from per-day milliseconds: sums over a range of days and the streak
// of consecutive days that reached the daily goal.
#pragma once

#include <cstdint>
#include <map>

namespace carrel::control {

class StudyStats {
 public:
  using Days = std::map<int64_t, int64_t>;  // study day -> ms

  static int64_t sum(const Days& days, int64_t fromDay, int64_t toDay);
  // Consecutive days up to today that reached goalMs (a goal of 0 asks for any study). Today
  // not yet reached does not break the streak: it then ends yesterday.
  static int streak(const Days& days, int64_t goalMs, int64_t today);
};

}  // namespace carrel::control
