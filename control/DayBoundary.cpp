#include "DayBoundary.hpp"

#include <glib.h>

#include <algorithm>
#include <cstdio>

namespace carrel::control {

namespace {

constexpr int64_t kDay = 86400;

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

struct DayBoundary::Zone {
  explicit Zone(GTimeZone* z) : tz(z) {}
  ~Zone() { g_time_zone_unref(tz); }
  Zone(const Zone&) = delete;
  Zone& operator=(const Zone&) = delete;
  GTimeZone* tz;
};

DayBoundary::DayBoundary(std::shared_ptr<const Zone> zone, std::string name, int minutes)
    : tz_(std::move(zone)), zone_(std::move(name)), boundaryMinutes_(minutes) {}

bool DayBoundary::plausibleZoneName(const std::string& z) {
  if (z.empty() || z.size() > 64 || z.find("..") != std::string::npos) return false;
  return std::all_of(z.begin(), z.end(), [](char c) {
    return g_ascii_isalnum(c) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

std::optional<DayBoundary> DayBoundary::make(const std::string& timeZone, int boundaryMinutes) {
  if (boundaryMinutes < 0 || boundaryMinutes >= 24 * 60 || !plausibleZoneName(timeZone)) {
    return std::nullopt;
  }
  GTimeZone* tz = g_time_zone_new_identifier(timeZone.c_str());
  if (!tz) return std::nullopt;
  return DayBoundary(std::make_shared<const Zone>(tz), timeZone, boundaryMinutes);
}

int32_t DayBoundary::offsetAt(int64_t sec) const {
  gint interval = g_time_zone_find_interval(tz_->tz, G_TIME_TYPE_UNIVERSAL, sec);
  return g_time_zone_get_offset(tz_->tz, interval);
}

int64_t DayBoundary::dayStartMs(int64_t day) const {
  const int64_t wall = day * kDay + int64_t(boundaryMinutes_) * 60;
  // Offsets in force around that wall time; transitions are months apart, so the ones two
  // days either side cover every way the clock can reach it.
  const int32_t before = offsetAt(wall - 2 * kDay);
  const int32_t after = offsetAt(wall + 2 * kDay);
  std::optional<int64_t> first;
  for (int32_t o : {before, after, offsetAt(wall - before), offsetAt(wall - after)}) {
    int64_t t = wall - o;
    if (offsetAt(t) == o && (!first || t < *first)) first = t;
  }
  if (first) return *first * 1000;
  // A gap: the clock jumps from before the boundary to after it. Find the jump.
  int64_t lo = wall - std::max(before, after);  // still on the old offset
  int64_t hi = wall - std::min(before, after);  // already on the new one
  const int32_t old = offsetAt(lo);
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    (offsetAt(mid) == old ? lo : hi) = mid;
  }
  return hi * 1000;
}

int64_t DayBoundary::dayOf(int64_t ms) const {
  const int64_t sec = floorDiv(ms, 1000);
  int64_t day = floorDiv(sec + offsetAt(sec) - int64_t(boundaryMinutes_) * 60, kDay);
  // The clock's date is right except near a jump of the clock over the boundary.
  for (int i = 0; i < 3 && ms < dayStartMs(day); ++i) --day;
  for (int i = 0; i < 3 && ms >= dayStartMs(day + 1); ++i) ++day;
  return day;
}

std::vector<DayPiece> DayBoundary::split(int64_t fromMs, int64_t toMs, int64_t notBefore) const {
  std::vector<DayPiece> out;
  if (toMs <= fromMs) return out;
  int64_t day = dayOf(fromMs);
  int64_t at = fromMs;
  while (at < toMs) {
    int64_t end = std::min(toMs, dayStartMs(day + 1));
    int64_t credited = std::max(day, notBefore);
    if (!out.empty() && out.back().day == credited) {
      out.back().toMs = end;
    } else {
      out.push_back({credited, at, end});
    }
    at = end;
    ++day;
  }
  return out;
}

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
int64_t DayBoundary::daysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = floorDiv(y, 400);
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void DayBoundary::civilFromDays(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = floorDiv(z, 146097);
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2));
}

std::string DayBoundary::dayString(int64_t day) {
  int y;
  unsigned m, d;
  civilFromDays(day, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

std::optional<int64_t> DayBoundary::parseDay(const std::string& t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!g_ascii_isdigit(t[i])) return std::nullopt;
  }
  int y = std::stoi(t.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(t.substr(5, 2)));
  unsigned d = static_cast<unsigned>(std::stoi(t.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  int64_t day = daysFromCivil(y, m, d);
  int yy;
  unsigned mm, dd;
  civilFromDays(day, &yy, &mm, &dd);
  if (yy != y || mm != m || dd != d) return std::nullopt;  // 2026-02-30
  return day;
}

int64_t DayBoundary::weekStart(int64_t day) {
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
  return day - ((day % 7 + 7 + 3) % 7);
}

int64_t DayBoundary::monthStart(int64_t day) {
  int y;
  unsigned m, d;
  civilFromDays(day, &y, &m, &d);
  return day - (d - 1);
}

}  // namespace carrel::control
