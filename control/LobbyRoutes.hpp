// Who is studying now: GET /api/v1/lobby lists the public rooms with someone in them, each
// with its participants and since when (from every control node's seats in Redis), busiest
// first; GET /api/v1/users/<id>/presence tells whether a user is online, since when, and in
// which room (only named when that room is public). See docs/protocol.md, REST.
#pragma once

#include <libsoup/soup.h>

#include <string>

#include "AuthService.hpp"
#include "DbWorker.hpp"
#include "NodeRoster.hpp"
#include "UserPresence.hpp"

namespace carrel::control {

class LobbyRoutes {
 public:
  LobbyRoutes(AuthService& auth, DbWorker& worker, NodeRoster& roster, UserPresence& presence)
      : auth_(auth), worker_(worker), roster_(roster), presence_(presence) {}
  // Adds the routes; the server must not outlive this object.
  void install(SoupServer* server);

 private:
  void lobby(SoupServerMessage* msg);
  void presence(SoupServerMessage* msg, const std::string& path);

  AuthService& auth_;
  DbWorker& worker_;
  NodeRoster& roster_;
  UserPresence& presence_;
};

}  // namespace carrel::control
