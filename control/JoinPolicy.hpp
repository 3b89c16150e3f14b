// Whether a client may enter a room, when control runs with a database: the room must exist
// in MariaDB, and a private room or one with a password lets in its owner, an admin, the
// holder of its invite code or of its password. Capacity is not decided here but where the
// seat is taken (RoomDirectory::join, atomically in Redis); the check hands it over.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "DbWorker.hpp"

namespace carrel::control {

struct JoinRequest {
  std::string room;
  std::string password;  // "" when not given
  std::string invite;    // "" when not given
  int64_t userId = 0;    // 0: a guest
  bool admin = false;
};

// code is "" when the client may join; else a client error code (ClientErrors.hpp).
struct JoinVerdict {
  const char* code = "";
  std::string message;
  int capacity = 0;  // seats in the room (0: no limit)
};

class JoinPolicy {
 public:
  // Runs the lookup (and any password check) on the DB thread; done runs on the main context.
  static void check(DbWorker& db, JoinRequest request, std::function<void(JoinVerdict)> done);
};

}  // namespace carrel::control
