// Server-authoritative study intervals of the users connected to this node. An interval is
// opened by a session in a room and held by it until stop, or the session's final leave
// (leave, kick, grace expiry: ControlNode::leaveRoom). One user has at most one open interval
// on all nodes together (a Redis key set with NX), so two devices never count twice. Open
// intervals are heartbeated to MariaDB; every node sweeps intervals whose heartbeats stopped
// (a crashed node's) and closes them at their last heartbeat.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "ClientErrors.hpp"
#include "DbWorker.hpp"
#include "GPtr.hpp"
#include "Leaderboards.hpp"
#include "RedisConnection.hpp"
#include "StudyLedger.hpp"

namespace carrel::control {

class StudyTracker {
 public:
  struct Result {
    const char* code = nullptr;  // nullptr: done; else a client error code
    std::string message;
    std::string room;
    int64_t startedMs = 0;
  };
  using Done = std::function<void(const Result&)>;

  StudyTracker(DbWorker& worker, RedisConnection& redis, Leaderboards& boards, std::string node,
               int heartbeatMs);
  ~StudyTracker();
  StudyTracker(const StudyTracker&) = delete;
  StudyTracker& operator=(const StudyTracker&) = delete;

  // Starts the heartbeat and the sweep of orphaned intervals.
  void begin();
  void start(int64_t userId, const std::string& room, const std::string& participant, Done done);
  // endMs (when not 0, and within the interval) is when the time stopped counting, for a
  // close decided later than that (a camera that stayed off).
  void stop(int64_t userId, const std::string& participant, const std::string& reason, Done done,
            int64_t endMs = 0);
  // The participant's final leave: closes what it holds (or is still opening), at endMs
  // when that is not 0 (a client that dropped and never came back stopped then).
  void leave(const std::string& participant, const std::string& reason, int64_t endMs = 0);
  // The interval the participant holds on this node, if any.
  const OpenInterval* heldBy(const std::string& participant) const;
  // Ledger pieces as they are written (for room announcements); leaderboards are fed already.
  std::function<void(const std::vector<StudyTotal>&)> onClosed;

  static std::string redisKey(int64_t userId);

 private:
  void closeHeld(int64_t userId, const std::string& reason, Done done, int64_t endMs = 0);
  void heartbeat();
  void sweep();
  void recorded(const std::vector<StudyTotal>& pieces);

  DbWorker& worker_;
  RedisConnection& redis_;
  Leaderboards& boards_;
  std::string node_;
  int heartbeatMs_;
  std::map<int64_t, OpenInterval> held_;  // by user id
  std::set<std::string> opening_;         // participants whose start is under way
  std::set<std::string> cancelled_;       // ... and who left meanwhile
  bool sweeping_ = false;
  TimeoutSource heartbeatTimer_;
  TimeoutSource sweepTimer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
