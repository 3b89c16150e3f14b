#include "StudyStats.hpp"

namespace carrel::control {

int64_t StudyStats::sum(const Days& days, int64_t fromDay, int64_t toDay) {
  int64_t total = 0;
  for (auto it = days.lower_bound(fromDay); it != days.end() && it->first <= toDay; ++it) {
    total += it->second;
  }
  return total;
}

int StudyStats::streak(const Days& days, int64_t goalMs, int64_t today) {
  auto reached = [&](int64_t day) {
    auto it = days.find(day);
    int64_t ms = it == days.end() ? 0 : it->second;
    return goalMs > 0 ? ms >= goalMs : ms > 0;
  };
  int64_t day = reached(today) ? today : today - 1;
  int n = 0;
  while (reached(day)) {
    ++n;
    --day;
  }
  return n;
}

}  // namespace carrel::control
