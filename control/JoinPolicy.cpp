#include "JoinPolicy.hpp"

#include <glib.h>

#include <memory>

#include "ClientErrors.hpp"
#include "PasswordHasher.hpp"
#include "RoomStore.hpp"

namespace carrel::control {

namespace {

JoinVerdict decide(MySqlConnection& db, const JoinRequest& q) {
  RoomStore store(db);
  Room room;
  std::string err;
  switch (store.get(q.room, &room, &err)) {
    case StoreResult::Ok:
      break;
    case StoreResult::NotFound:
      return {code::NoSuchRoom, "no room has the id '" + q.room + "': create it first", 0};
    default:
      g_warning("join check of room %s: %s", q.room.c_str(), err.c_str());
      return {code::Internal, "the room could not be looked up", 0};
  }
  JoinVerdict ok{"", "", room.capacity};
  bool locked = room.isPrivate || room.hasPassword;
  if (!locked || q.admin || (q.userId > 0 && static_cast<uint64_t>(q.userId) == room.ownerId)) {
    return ok;
  }
  if (!q.invite.empty() && !room.inviteCode.empty() && q.invite == room.inviteCode) return ok;
  if (!q.password.empty() && room.hasPassword) {
    auto hash = store.passwordHash(q.room, &err);
    if (hash && !hash->empty() && PasswordHasher().verify(*hash, q.password)) return ok;
  }
  if (!q.password.empty() || !q.invite.empty()) {
    return {code::RoomLocked, "wrong password or invite code for this room", 0};
  }
  return {code::RoomLocked,
          room.hasPassword ? "this room needs its password (join.password) or an invite"
                           : "this room is private: join with its invite code (join.invite)",
          0};
}

}  // namespace

void JoinPolicy::check(DbWorker& db, JoinRequest request, std::function<void(JoinVerdict)> done) {
  auto verdict = std::make_shared<JoinVerdict>();
  db.run(
      [request = std::move(request), verdict](MySqlConnection& c) {
        *verdict = decide(c, request);
        if (c.unavailable()) {
          *verdict = {code::StorageUnavailable,
                      "the database is unreachable right now; try joining again later", 0};
        }
      },
      [verdict, done = std::move(done)] { done(*verdict); });
}

}  // namespace carrel::control
