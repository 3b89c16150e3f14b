// Users, login sessions and the token secret in MariaDB. Synchronous: it runs on the
// DbWorker's thread with that thread's connection. Every query is a prepared statement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "MySqlConnection.hpp"

namespace carrel::control {

struct User {
  uint64_t id = 0;
  std::string login;
  std::string displayName;
  std::string timeZone;
  bool admin = false;
};

enum class StoreResult { Ok, Conflict, NotFound, Failed };

class UserStore {
 public:
  explicit UserStore(MySqlConnection& db) : db_(db) {}

  // Conflict when the login is taken.
  StoreResult create(const std::string& login, const std::string& passwordHash,
                     const std::string& displayName, const std::string& timeZone, bool admin,
                     User* out, std::string* error);
  // The user and their stored password hash.
  StoreResult findByLogin(const std::string& login, User* out, std::string* passwordHash,
                          std::string* error);
  StoreResult findById(uint64_t id, User* out, std::string* error);
  StoreResult setPasswordHash(uint64_t id, const std::string& passwordHash, std::string* error);

  bool createSession(const std::string& sessionId, uint64_t userId, int64_t expiresAt,
                     std::string* error);
  // True when the session exists for that user, is not revoked and not expired at now.
  bool sessionActive(const std::string& sessionId, uint64_t userId, int64_t now,
                     std::string* error);
  StoreResult revokeSession(const std::string& sessionId, std::string* error);

  // The shared token-signing secret: the first node to ask creates it.
  std::optional<std::string> tokenSecret(const std::string& candidate, std::string* error);

 private:
  MySqlConnection& db_;
};

}  // namespace carrel::control
