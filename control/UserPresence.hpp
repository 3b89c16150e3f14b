// Presence of accounts, shared by every control node through Redis, and the rule of one
// active session per user. carrel:presence:<user> is a hash {participant, node, name,
// online_since, room, since} with a TTL its node keeps refreshing (so a dead node's users go
// offline by themselves). Claiming it for a new connection replaces the old owner; the
// replaced participant is published on carrel:ctl:replaced, and the node that holds it tells
// that client why and closes it.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "GPtr.hpp"
#include "RedisConnection.hpp"

namespace carrel::control {

struct PresenceInfo {
  bool online = false;
  std::string participant;
  std::string node;
  std::string name;
  int64_t onlineSince = 0;  // ms since the epoch
  std::string room;         // "" when in no room
  int64_t since = 0;        // in that room since (ms)
};

class UserPresence {
 public:
  // A participant of some node was replaced by a newer connection of the same user (by).
  using ReplacedFn = std::function<void(const std::string& participant, const std::string& by)>;

  UserPresence(RedisConnection& redis, RedisConnection& sub, std::string nodeId, guint ttlSeconds,
               ReplacedFn onReplaced);
  ~UserPresence();
  UserPresence(const UserPresence&) = delete;
  UserPresence& operator=(const UserPresence&) = delete;

  static std::string key(int64_t user);
  static constexpr const char* kReplacedChannel = "carrel:ctl:replaced";

  // This participant is now the user's one session (a different earlier one is replaced).
  void claim(int64_t user, const std::string& participant, const std::string& name);
  // The user's room while this participant still owns the presence ("" room: none).
  void setRoom(int64_t user, const std::string& participant, const std::string& room,
               int64_t since);
  // Offline, if this participant still owns the presence.
  void release(int64_t user, const std::string& participant);
  void get(int64_t user, std::function<void(std::optional<PresenceInfo>)> done);

 private:
  void refresh();
  RedisConnection& redis_;
  std::string nodeId_;
  guint ttlSeconds_;
  ReplacedFn onReplaced_;
  std::map<int64_t, std::string> local_;  // user -> participant, the sessions this node holds
  TimeoutSource refreshTimer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
