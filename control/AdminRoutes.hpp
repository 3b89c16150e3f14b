// The admin API (/api/v1/admin/...), for global admins only (the Bearer token of an account
// with the admin flag; anyone else gets 401 unauthorized or 403 admin_only): who is in which
// room across every control node (the node roster's seats in Redis), force-closing a room,
// banning a user from every room (their present sessions, on whatever node, are removed
// through the room broadcasts moderation already uses) and lifting that ban, and the audit
// log, paged and filtered. Every action is written to the audit log like a moderator's.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <string>

#include "AuthService.hpp"
#include "DbWorker.hpp"
#include "Rest.hpp"

namespace carrel::control {

class ControlNode;

class AdminRoutes {
 public:
  AdminRoutes(AuthService& auth, DbWorker& worker, ControlNode& node)
      : auth_(auth), worker_(worker), node_(node) {}
  void install(SoupServer* server);

 private:
  void route(SoupServerMessage* msg, const std::string& path, GHashTable* query);
  void rooms(SoupServerMessage* msg, GHashTable* query);
  void closeRoom(SoupServerMessage* msg, const std::string& room);
  void ban(SoupServerMessage* msg);
  void listBans(SoupServerMessage* msg);
  void unban(SoupServerMessage* msg, uint64_t user);
  void auditLog(SoupServerMessage* msg, GHashTable* query);
  // Runs then(admin, finish) when the token is an admin's; otherwise answers the error.
  void withAdmin(SoupServerMessage* msg, std::function<void(const User&, Rest::Finish)> then);

  AuthService& auth_;
  DbWorker& worker_;
  ControlNode& node_;
};

}  // namespace carrel::control
