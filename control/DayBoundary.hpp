// A user's study day: it runs from the day boundary (05:00 by default) on the clock of the
// user's time zone to the same clock time on the next date, so a session past midnight still
// counts for the evening it began. Pure arithmetic on the system's time-zone database (GLib's
// GTimeZone: libstdc++ 12 has no std::chrono zones).
//
// Days are numbered as civil days since 1970-01-01 (day 0); instants are Unix milliseconds.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace carrel::control {

// One part of an interval that falls in one study day: [fromMs, toMs).
struct DayPiece {
  int64_t day = 0;
  int64_t fromMs = 0;
  int64_t toMs = 0;
  bool operator==(const DayPiece&) const = default;
};

class DayBoundary {
 public:
  static constexpr int kDefaultMinutes = 5 * 60;

  // nullopt for an unknown zone or a boundary outside 0..1439 minutes after midnight.
  static std::optional<DayBoundary> make(const std::string& timeZone,
                                         int boundaryMinutes = kDefaultMinutes);
  // A zone name worth looking up: 1..64 bytes of A-Z a-z 0-9 / _ - + and no "..".
  static bool plausibleZoneName(const std::string& timeZone);

  const std::string& timeZone() const { return zone_; }
  int boundaryMinutes() const { return boundaryMinutes_; }

  // The study day holding an instant.
  int64_t dayOf(int64_t ms) const;
  // When a study day begins: the first instant the zone's clock shows the boundary on that
  // date. Where the clock jumps over the boundary (a daylight-saving gap) the day begins at
  // the jump; where it shows the boundary twice (clocks going back) at the first time.
  int64_t dayStartMs(int64_t day) const;
  // Splits [fromMs, toMs) at day starts. Pieces never belong to a day before notBefore: after
  // a change of time zone the clock may show an earlier date than the one already credited,
  // and that time then joins the credited day instead of reopening a finished one.
  std::vector<DayPiece> split(int64_t fromMs, int64_t toMs, int64_t notBefore = INT64_MIN) const;

  // "YYYY-MM-DD" and back (nullopt for anything else or an impossible date).
  static std::string dayString(int64_t day);
  static std::optional<int64_t> parseDay(const std::string& text);
  static int64_t daysFromCivil(int y, unsigned m, unsigned d);
  static void civilFromDays(int64_t day, int* y, unsigned* m, unsigned* d);
  // Monday of the ISO week holding day, and the first day of its month.
  static int64_t weekStart(int64_t day);
  static int64_t monthStart(int64_t day);

 private:
  struct Zone;
  DayBoundary(std::shared_ptr<const Zone> zone, std::string name, int minutes);
  int32_t offsetAt(int64_t sec) const;

  std::shared_ptr<const Zone> tz_;
  std::string zone_;
  int boundaryMinutes_ = kDefaultMinutes;
};

}  // namespace carrel::control
