#include "UserStore.hpp"

#include <cstdlib>

namespace carrel::control {

namespace {

User userFrom(const MySqlConnection::Row& r) {
  User u;
  u.id = std::strtoull(r[0].value_or("0").c_str(), nullptr, 10);
  u.login = r[1].value_or("");
  u.displayName = r[2].value_or("");
  u.timeZone = r[3].value_or("UTC");
  u.admin = r[4].value_or("0") == "1";
  return u;
}

}  // namespace

StoreResult UserStore::create(const std::string& login, const std::string& passwordHash,
                              const std::string& displayName, const std::string& timeZone,
                              bool admin, User* out, std::string* error) {
  // INSERT IGNORE leaves the row count at 0 when the unique login is taken.
  uint64_t affected = 0;
  if (!db_.execute("INSERT IGNORE INTO users (login, password_hash, display_name, time_zone, "
                   "is_admin) VALUES (?, ?, ?, ?, ?)",
                   {login, passwordHash, displayName, timeZone, std::string(admin ? "1" : "0")},
                   error, &affected)) {
    return StoreResult::Failed;
  }
  if (affected == 0) return StoreResult::Conflict;
  std::string hash;
  return findByLogin(login, out, &hash, error);
}

StoreResult UserStore::findByLogin(const std::string& login, User* out, std::string* passwordHash,
                                   std::string* error) {
  auto rows = db_.query(
      "SELECT id, login, display_name, time_zone, is_admin, password_hash FROM users "
      "WHERE login = ?",
      {login}, error);
  if (!rows) return StoreResult::Failed;
  if (rows->empty()) return StoreResult::NotFound;
  if (out) *out = userFrom(rows->front());
  if (passwordHash) *passwordHash = rows->front()[5].value_or("");
  return StoreResult::Ok;
}

StoreResult UserStore::findById(uint64_t id, User* out, std::string* error) {
  auto rows =
      db_.query("SELECT id, login, display_name, time_zone, is_admin FROM users WHERE id = ?",
                {std::to_string(id)}, error);
  if (!rows) return StoreResult::Failed;
  if (rows->empty()) return StoreResult::NotFound;
  if (out) *out = userFrom(rows->front());
  return StoreResult::Ok;
}

StoreResult UserStore::setPasswordHash(uint64_t id, const std::string& passwordHash,
                                       std::string* error) {
  uint64_t affected = 0;
  if (!db_.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                   {passwordHash, std::to_string(id)}, error, &affected)) {
    return StoreResult::Failed;
  }
  return affected ? StoreResult::Ok : StoreResult::NotFound;
}

bool UserStore::createSession(const std::string& sessionId, uint64_t userId, int64_t expiresAt,
                              std::string* error) {
  return db_.execute("INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)",
                     {sessionId, std::to_string(userId), std::to_string(expiresAt)}, error);
}

bool UserStore::sessionActive(const std::string& sessionId, uint64_t userId, int64_t now,
                              std::string* error) {
  auto rows = db_.query(
      "SELECT 1 FROM sessions WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND "
      "expires_at > ?",
      {sessionId, std::to_string(userId), std::to_string(now)}, error);
  return rows && !rows->empty();
}

StoreResult UserStore::revokeSession(const std::string& sessionId, std::string* error) {
  uint64_t affected = 0;
  if (!db_.execute("UPDATE sessions SET revoked_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND "
                   "revoked_at IS NULL",
                   {sessionId}, error, &affected)) {
    return StoreResult::Failed;
  }
  return affected ? StoreResult::Ok : StoreResult::NotFound;
}

std::optional<std::string> UserStore::tokenSecret(const std::string& candidate,
                                                  std::string* error) {
  if (!db_.execute("INSERT IGNORE INTO server_secrets (name, secret) VALUES ('access_token', ?)",
                   {candidate}, error)) {
    return std::nullopt;
  }
  auto rows = db_.query("SELECT secret FROM server_secrets WHERE name = 'access_token'", {}, error);
  if (!rows || rows->empty() || !rows->front()[0]) return std::nullopt;
  return *rows->front()[0];
}

}  // namespace carrel::control
