// Which control nodes are alive, and who sits in which room through each, in Redis: every
// node keeps carrel:ctl:alive:<node> alive with a short TTL and lists its seated participants
// in the hash carrel:ctl:seats:<node> (participant -> {room, sfu, since, name, user}). A node
// that dies without leaving (kill -9) stops refreshing its key; any live node then sweeps its
// seats (the caller makes each a normal participant_left and removes the SFU peer) so nobody
// stays in a room forever. The seats are also the lobby's source of who is studying now.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "GPtr.hpp"
#include "RedisConnection.hpp"

namespace carrel::control {

struct Seat {
  std::string participant;
  std::string room;
  std::string sfu;
  int64_t since = 0;  // ms since the epoch, when the participant entered the room
  std::string name;
  int64_t user = 0;  // 0: a guest
  std::string node;
};

class NodeRoster {
 public:
  struct Timing {
    guint heartbeatMs = 2000;
    guint ttlMs = 6000;  // a node silent this long is dead
    guint sweepMs = 3000;
  };
  using SweepFn = std::function<void(const Seat& seat)>;

  NodeRoster(RedisConnection& redis, std::string nodeId, Timing timing, SweepFn sweep);
  ~NodeRoster();
  NodeRoster(const NodeRoster&) = delete;
  NodeRoster& operator=(const NodeRoster&) = delete;

  // Announces this node and starts the heartbeat and the sweep; seats left by an earlier run
  // under the same node id are swept first.
  void start();
  // Stops beating and withdraws this node (a clean shutdown, after its leaves).
  void stop();

  void seated(const Seat& seat);
  void unseated(const std::string& participant);
  // Every seat of every live node (nullopt when Redis failed).
  void allSeats(std::function<void(std::optional<std::vector<Seat>>)> done);

  static std::string encodeSeat(const Seat& s);
  static std::optional<Seat> decodeSeat(const std::string& participant, const std::string& json);

 private:
  void beat();
  void sweep();
  void sweepNode(const std::string& node);
  std::string seatsKey(const std::string& node) const;

  RedisConnection& redis_;
  std::string nodeId_;
  Timing timing_;
  SweepFn onSweep_;
  TimeoutSource beatTimer_;
  TimeoutSource sweepTimer_;
  bool sweeping_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
