// Who holds which role among the participants present in a room, shared by every control node:
// the Redis hash carrel:room:<room>:roles (participant -> {"user","role","since","name"}). A
// moderator's node reads its target's role and account from here, whichever node the target
// is on; the owner's successor is picked from here (the longest present first).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Permissions.hpp"
#include "RedisConnection.hpp"

namespace carrel::control {

struct RoleEntry {
  int64_t userId = 0;  // 0: a guest
  Role role = Role::Member;
  int64_t sinceMs = 0;
  std::string name;
};

class RoomRoles {
 public:
  using ListFn = std::function<void(std::optional<std::map<std::string, RoleEntry>>)>;

  explicit RoomRoles(RedisConnection& redis) : redis_(redis) {}

  static std::string key(const std::string& room);
  static std::string encode(const RoleEntry& e);
  static std::optional<RoleEntry> decode(const std::string& json);
  // The successor of an owner who left for good: a moderator first, else the signed-in member
  // present longest; nullopt when nobody signed in is left. (Pure: unit-tested.)
  static std::optional<std::string> successor(const std::map<std::string, RoleEntry>& present,
                                              const std::string& leaving);

  void set(const std::string& room, const std::string& participant, const RoleEntry& e);
  void remove(const std::string& room, const std::string& participant);
  void list(const std::string& room, ListFn done);
  void get(const std::string& room, const std::string& participant,
           std::function<void(bool ok, std::optional<RoleEntry>)> done);
  // Changes the role of every present participant of that account (one person, one role).
  void setRoleOfUser(const std::string& room, int64_t userId, Role role,
                     std::function<void(std::vector<std::string> participants)> done);

 private:
  RedisConnection& redis_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
