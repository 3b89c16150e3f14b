// The rooms' pomodoro timers, live: "timer" client messages (set, start, pause, reset by the
// room's owner, a moderator or an admin; ack by any member), the state in Redis, broadcast to
// the room as timer_state with the server's clock, sent to a late joiner, and a broadcast at
// every phase change. Any node with members in the room schedules the change; a Redis SET NX
// per phase lets exactly one of them announce it. Acknowledgements and the study king go to
// the room board.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ClientMessages.hpp"
#include "ClientSession.hpp"
#include "DbWorker.hpp"
#include "GPtr.hpp"
#include "KeyedSerialQueue.hpp"
#include "Permissions.hpp"
#include "RedisConnection.hpp"
#include "RoomBoard.hpp"
#include "RoomDirectory.hpp"
#include "RoomRoles.hpp"
#include "RoomTimer.hpp"

namespace carrel::control {

class RoomTimers {
 public:
  RoomTimers(RedisConnection& redis, RoomDirectory& rooms, DbWorker& worker, RoomBoard& board);
  ~RoomTimers();
  RoomTimers(const RoomTimers&) = delete;
  RoomTimers& operator=(const RoomTimers&) = delete;

  void onMessage(const std::shared_ptr<ClientSession>& s, const ClientMessage& m);
  // A member entered: it gets the current state, and this node watches the phases.
  void onEnter(const std::shared_ptr<ClientSession>& s);

  // Who may drive a room's timer: the one place moderation's roles plug into.
  static bool mayControl(bool admin, int64_t userId, int64_t ownerId, std::optional<Role> role);

 private:
  using Session = std::shared_ptr<ClientSession>;
  void load(const std::string& room, std::function<void(bool ok, TimerState)> done);
  using TurnPtr = KeyedSerialQueue::TurnPtr;
  static constexpr int kCommandAttempts = 5;
  static constexpr size_t kMaxWaitingCommands = 64;  // per room and node
  void command(const Session& s, const ClientMessage& m, TurnPtr turn, int attempt = 0);
  // The state after a set/start/pause/reset, one version on.
  static TimerState applied(TimerState st, JsonObject* fields, int64_t nowMs);
  void ack(const Session& s, const ClientMessage& m);
  void publish(const std::string& room, const TimerState& st, const std::string& event);
  void schedule(const std::string& room, const TimerState& st);
  void tick(const std::string& room, int64_t version);
  void crown(const std::string& room, const TimerState& st);
  static std::string key(const std::string& room);

  RedisConnection& redis_;
  RoomDirectory& rooms_;
  DbWorker& worker_;
  RoomBoard& board_;
  std::map<std::string, std::unique_ptr<TimeoutSource>> ticks_;
  std::map<std::string, int64_t> versions_;  // of the state each tick was scheduled for
  KeyedSerialQueue commands_;                // per room
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// The timer_state message for a state at a server time.
std::string timerStateMessage(const std::string& room, const TimerState& st, int64_t nowMs,
                              const std::string& event);

}  // namespace carrel::control
