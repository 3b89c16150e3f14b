// The accounts REST routes (/api/v1/auth/signup, /login, /logout and /api/v1/me): JSON in,
// JSON out, every body checked against a declared field table, every failure a typed error
// {"error":{"code","message"}} with a fitting HTTP status. See docs/protocol.md, REST.
#pragma once

#include <libsoup/soup.h>

#include <string>

#include "AuthService.hpp"

namespace carrel::control {

class AuthRoutes {
 public:
  explicit AuthRoutes(AuthService& auth) : auth_(auth) {}
  // Adds the routes to the server; the server must not outlive this object.
  void install(SoupServer* server);

 private:
  void signup(SoupServerMessage* msg);
  void login(SoupServerMessage* msg);
  void logout(SoupServerMessage* msg);
  void me(SoupServerMessage* msg);

  AuthService& auth_;
};

}  // namespace carrel::control
