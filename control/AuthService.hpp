// Accounts for the REST API: sign up, log in (a signed token naming a new session), log out
// (revoke that session), and who a token belongs to. Hashing and queries run on the
// DbWorker's thread; every callback runs on the main context.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "AccessTokens.hpp"
#include "DbWorker.hpp"
#include "PasswordHasher.hpp"
#include "UserStore.hpp"

namespace carrel::control {

// code is "" on success, else a stable error code (see docs/protocol.md, REST).
struct AuthResult {
  std::string code;
  std::string message;
  User user;
  std::string token;
  int64_t expiresAt = 0;
};

class AuthService {
 public:
  using Done = std::function<void(const AuthResult&)>;

  AuthService(DbWorker& worker, std::string tokenSecret, int64_t tokenTtlSeconds,
              PasswordHasher::Strength strength = PasswordHasher::Strength::Interactive);

  void signup(const std::string& login, const std::string& password, const std::string& displayName,
              const std::string& timeZone, Done done);
  void login(const std::string& login, const std::string& password, Done done);
  void logout(const std::string& token, Done done);
  // The user behind a token that is well signed, unexpired and not logged out.
  void authenticate(const std::string& token, Done done);
  // Form, signature and expiry only (no database: whether the session is still open is
  // authenticate's to say). Lets a route refuse a forged token before reading a big body.
  bool signedAndCurrent(const std::string& token) const;

  // Makes sure the admin account exists (start-up; blocking on db). An existing account of
  // that login that is not an admin is an error: it is never promoted silently.
  static bool bootstrapAdmin(MySqlConnection& db, const std::string& login,
                             const std::string& password, std::string* error);

 private:
  DbWorker& worker_;
  AccessTokens tokens_;
  PasswordHasher hasher_;
  int64_t ttl_;
};

}  // namespace carrel::control
