// Study leaderboards: today / this week / this month, global and per room, as Redis sorted
// sets of user id -> milliseconds. Closed ledger time is added as it is written; at start-up
// the recent sets are rebuilt from the ledger (MariaDB is the truth, Redis a fast copy).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "RedisConnection.hpp"
#include "StudyLedger.hpp"

namespace carrel::control {

enum class LbPeriod { Day, Week, Month };

class Leaderboards {
 public:
  using Entries = std::vector<std::pair<int64_t, int64_t>>;  // user id, ms; best first

  explicit Leaderboards(RedisConnection& redis) : redis_(redis) {}

  static std::optional<LbPeriod> parsePeriod(const std::string& text);
  static const char* periodName(LbPeriod p);
  // The set holding a study day's time for the period (room "" for the global one).
  static std::string key(LbPeriod p, int64_t day, const std::string& room);
  // The first study day a rebuild must cover so that every current set is whole.
  static int64_t rebuildFrom(int64_t today);

  void add(const std::vector<StudyTotal>& pieces);
  // Replaces every set with sums of the given ledger totals, in one MULTI/EXEC.
  void rebuild(const std::vector<StudyTotal>& totals, std::function<void(bool ok)> done);
  void top(LbPeriod p, int64_t day, const std::string& room, int limit,
           std::function<void(std::optional<Entries>)> done);

 private:
  RedisConnection& redis_;
};

}  // namespace carrel::control
