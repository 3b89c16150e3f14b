// The study-time ledger in MariaDB (synchronous, on the DbWorker's thread, prepared statements
// only): open intervals with their heartbeats, closing an interval into per-day rows of the
// append-only ledger, recovery of intervals a crashed node left open, per-user settings and
// the totals that stats and leaderboards are made of.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "DayBoundary.hpp"
#include "MySqlConnection.hpp"

namespace carrel::control {

struct OpenInterval {
  int64_t userId = 0;
  std::string room;
  std::string participant;
  std::string node;
  int64_t startedMs = 0;
  int64_t heartbeatMs = 0;
};

// Time of one user in one room on one study day (a closed piece, or a sum of them).
struct StudyTotal {
  int64_t userId = 0;
  std::string room;
  int64_t day = 0;
  int64_t ms = 0;
};

struct StudyProfile {
  std::string timeZone = "UTC";
  int boundaryMinutes = DayBoundary::kDefaultMinutes;
  int goalMinutes = 120;
  // The zone and boundary as a DayBoundary (UTC with the boundary if the zone is unknown).
  DayBoundary days() const;
};

class StudyLedger {
 public:
  explicit StudyLedger(MySqlConnection& db) : db_(db) {}

  // Records a newly opened interval. A row the user still has (a crashed node's, whose Redis
  // entry has expired) is closed first at its last heartbeat; its pieces go to *recovered.
  bool open(const OpenInterval& o, std::vector<StudyTotal>* recovered, std::string* error);
  bool heartbeat(const std::vector<int64_t>& users, int64_t nowMs, std::string* error);
  // Closes the user's open interval that started at startedMs (if it is still open: a sweep
  // may have closed it) at endMs, writing one ledger row per study day, in one transaction.
  std::optional<std::vector<StudyTotal>> close(int64_t userId, int64_t startedMs, int64_t endMs,
                                               const std::string& reason, std::string* error);
  // Open intervals whose last heartbeat is before staleBeforeMs.
  std::optional<std::vector<OpenInterval>> stale(int64_t staleBeforeMs, std::string* error);
  std::optional<OpenInterval> openOf(int64_t userId, std::string* error);

  // How a room counts study time: "manual" (start/stop) or "camera" (while the camera is on).
  std::optional<std::string> roomMode(const std::string& room, std::string* error);
  bool setRoomMode(const std::string& room, const std::string& mode, std::string* error);

  StudyProfile profile(int64_t userId, std::string* error);
  bool saveProfile(int64_t userId, const StudyProfile& p, std::string* error);

  // The user's ledger time per study day in [fromDay, toDay].
  std::optional<std::map<int64_t, int64_t>> dayTotals(int64_t userId, int64_t fromDay,
                                                      int64_t toDay, std::string* error);
  // Everyone's ledger time per user, room and day since fromDay (leaderboard rebuild).
  std::optional<std::vector<StudyTotal>> totalsSince(int64_t fromDay, std::string* error);
  // Display names of users (missing ids are left out).
  std::map<int64_t, std::string> names(const std::vector<int64_t>& ids, std::string* error);

 private:
  std::optional<std::vector<StudyTotal>> closeLocked(int64_t userId, const std::string& room,
                                                     int64_t startedMs, int64_t endMs,
                                                     const std::string& reason, std::string* error);
  MySqlConnection& db_;
};

}  // namespace carrel::control
