#include "ModerationStore.hpp"

#include <cstdlib>

namespace carrel::control {

namespace {

uint64_t u64(const MySqlConnection::Value& v) {
  return v ? std::strtoull(v->c_str(), nullptr, 10) : 0;
}

MySqlConnection::Value idOrNull(uint64_t id) {
  if (!id) return std::nullopt;
  return std::to_string(id);
}

}  // namespace

std::optional<Standing> ModerationStore::standing(const std::string& room, uint64_t userId,
                                                  std::string* error) {
  auto rows = db_.query(
      "SELECT r.owner_id, (SELECT COUNT(*) FROM room_moderators m WHERE m.room_id = r.id AND "
      "m.user_id = ?) FROM rooms r WHERE r.id = ?",
      {std::to_string(userId), room}, error);
  if (!rows) return std::nullopt;
  Standing s;
  if (rows->empty()) return s;
  s.roomExists = true;
  s.ownerId = u64((*rows)[0][0]);
  s.moderator = u64((*rows)[0][1]) > 0;
  return s;
}

bool ModerationStore::setModerator(const std::string& room, uint64_t userId, bool on, uint64_t by,
                                   std::string* error) {
  if (!on) {
    return db_.execute("DELETE FROM room_moderators WHERE room_id = ? AND user_id = ?",
                       {room, std::to_string(userId)}, error);
  }
  return db_.execute(
      "INSERT INTO room_moderators (room_id, user_id, granted_by) VALUES (?, ?, ?) "
      "ON DUPLICATE KEY UPDATE granted_by = VALUES(granted_by)",
      {room, std::to_string(userId), idOrNull(by)}, error);
}

bool ModerationStore::setOwner(const std::string& room, uint64_t userId, std::string* error) {
  if (!db_.setAutocommit(false, error)) return false;
  bool ok = db_.execute("UPDATE rooms SET owner_id = ? WHERE id = ?",
                        {std::to_string(userId), room}, error) &&
            db_.execute("DELETE FROM room_moderators WHERE room_id = ? AND user_id = ?",
                        {room, std::to_string(userId)}, error) &&
            db_.commit(error);
  if (!ok) db_.rollback();
  std::string ignored;
  db_.setAutocommit(true, &ignored);
  return ok;
}

std::optional<Ban> ModerationStore::activeBan(const std::string& room, uint64_t userId,
                                              int64_t nowMs, std::string* error, bool* failed) {
  *failed = false;
  // A ban for good sorts first (NULL expiry), then the one that lasts longest.
  auto rows = db_.query(
      "SELECT id, room_id, reason, expires_at FROM bans WHERE user_id = ? AND "
      "(room_id = ? OR room_id = '') AND lifted_at IS NULL AND "
      "(expires_at IS NULL OR expires_at > ?) ORDER BY expires_at IS NULL DESC, expires_at DESC "
      "LIMIT 1",
      {std::to_string(userId), room, std::to_string(nowMs)}, error);
  if (!rows) {
    *failed = true;
    return std::nullopt;
  }
  if (rows->empty()) return std::nullopt;
  const auto& r = (*rows)[0];
  Ban b;
  b.id = u64(r[0]);
  b.room = r[1].value_or("");
  b.userId = userId;
  b.reason = r[2].value_or("");
  if (r[3]) b.expiresAtMs = std::strtoll(r[3]->c_str(), nullptr, 10);
  return b;
}

bool ModerationStore::addBan(const Ban& ban, uint64_t by, std::string* error) {
  MySqlConnection::Value expires;
  if (ban.expiresAtMs) expires = std::to_string(*ban.expiresAtMs);
  return db_.execute(
      "INSERT INTO bans (room_id, user_id, reason, banned_by, expires_at) VALUES (?, ?, ?, ?, ?)",
      {ban.room, std::to_string(ban.userId), ban.reason, idOrNull(by), expires}, error);
}

std::optional<std::vector<Ban>> ModerationStore::bansInForce(const std::string& room, int64_t nowMs,
                                                             std::string* error) {
  auto rows = db_.query(
      "SELECT b.id, b.user_id, b.reason, b.expires_at, COALESCE(u.display_name, '') FROM bans b "
      "LEFT JOIN users u ON u.id = b.user_id WHERE b.room_id = ? AND b.lifted_at IS NULL AND "
      "(b.expires_at IS NULL OR b.expires_at > ?) ORDER BY b.id DESC LIMIT 500",
      {room, std::to_string(nowMs)}, error);
  if (!rows) return std::nullopt;
  std::vector<Ban> out;
  for (const auto& r : *rows) {
    Ban b;
    b.id = u64(r[0]);
    b.room = room;
    b.userId = u64(r[1]);
    b.reason = r[2].value_or("");
    if (r[3]) b.expiresAtMs = std::strtoll(r[3]->c_str(), nullptr, 10);
    b.userName = r[4].value_or("");
    out.push_back(std::move(b));
  }
  return out;
}

std::optional<uint64_t> ModerationStore::liftBans(const std::string& room, uint64_t userId,
                                                  int64_t nowMs, std::string* error) {
  uint64_t lifted = 0;
  if (!db_.execute("UPDATE bans SET lifted_at = CURRENT_TIMESTAMP(3) WHERE room_id = ? AND "
                   "user_id = ? AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
                   {room, std::to_string(userId), std::to_string(nowMs)}, error, &lifted)) {
    return std::nullopt;
  }
  return lifted;
}

std::optional<RoomFlags> ModerationStore::flags(const std::string& room, std::string* error) {
  auto rows = db_.query(
      "SELECT locked, waiting_room, afk_camera_off_seconds FROM room_moderation WHERE room_id = ?",
      {room}, error);
  if (!rows) return std::nullopt;
  RoomFlags f;
  if (!rows->empty()) {
    f.locked = u64((*rows)[0][0]) != 0;
    f.waitingRoom = u64((*rows)[0][1]) != 0;
    f.afkCameraOffSeconds = static_cast<int>(u64((*rows)[0][2]));
  }
  return f;
}

bool ModerationStore::setLocked(const std::string& room, bool on, std::string* error) {
  return db_.execute(
      "INSERT INTO room_moderation (room_id, locked) VALUES (?, ?) "
      "ON DUPLICATE KEY UPDATE locked = VALUES(locked)",
      {room, std::string(on ? "1" : "0")}, error);
}

bool ModerationStore::setWaitingRoom(const std::string& room, bool on, std::string* error) {
  return db_.execute(
      "INSERT INTO room_moderation (room_id, waiting_room) VALUES (?, ?) "
      "ON DUPLICATE KEY UPDATE waiting_room = VALUES(waiting_room)",
      {room, std::string(on ? "1" : "0")}, error);
}

bool ModerationStore::setAfkCameraOff(const std::string& room, int seconds, std::string* error) {
  return db_.execute(
      "INSERT INTO room_moderation (room_id, afk_camera_off_seconds) VALUES (?, ?) "
      "ON DUPLICATE KEY UPDATE afk_camera_off_seconds = VALUES(afk_camera_off_seconds)",
      {room, std::to_string(seconds)}, error);
}

bool ModerationStore::audit(const AuditEntry& e, std::string* error) {
  return db_.execute(
      "INSERT INTO audit_log (room_id, actor_id, actor_name, action, target_user_id, "
      "target_participant, target_name, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {e.room, idOrNull(e.actorId), e.actorName, e.action, idOrNull(e.targetUserId),
       e.targetParticipant, e.targetName, e.reason},
      error);
}

std::optional<std::vector<AuditEntry>> ModerationStore::auditLog(const std::string& room,
                                                                 uint64_t beforeId, int limit,
                                                                 std::string* error) {
  AuditFilter f;
  f.room = room;
  f.beforeId = beforeId;
  f.limit = limit;
  return auditLog(f, error);
}

std::optional<std::vector<AuditEntry>> ModerationStore::auditLog(const AuditFilter& f,
                                                                 std::string* error) {
  std::string before = f.beforeId ? std::to_string(f.beforeId) : "18446744073709551615";
  std::string actor = std::to_string(f.actorId);
  std::string target = std::to_string(f.targetUserId);
  auto rows = db_.query(
      // ROW_NUMBER keeps LIMIT's integer-only placeholder out (parameters are bound as text).
      "SELECT id, room_id, actor_id, actor_name, action, target_user_id, target_participant, "
      "target_name, reason, created FROM (SELECT id, room_id, actor_id, actor_name, action, "
      "target_user_id, target_participant, target_name, reason, "
      "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS created, "
      "ROW_NUMBER() OVER (ORDER BY id DESC) AS rn FROM audit_log "
      "WHERE (? = '' OR room_id = ?) AND (? = '0' OR actor_id = ?) AND (? = '' OR action = ?) "
      "AND (? = '0' OR target_user_id = ?) AND id < ?) page WHERE rn <= ? ORDER BY rn",
      {f.room, f.room, actor, actor, f.action, f.action, target, target, before,
       std::to_string(f.limit)},
      error);
  if (!rows) return std::nullopt;
  std::vector<AuditEntry> out;
  for (const auto& r : *rows) {
    AuditEntry e;
    e.id = u64(r[0]);
    e.room = r[1].value_or("");
    e.actorId = u64(r[2]);
    e.actorName = r[3].value_or("");
    e.action = r[4].value_or("");
    e.targetUserId = u64(r[5]);
    e.targetParticipant = r[6].value_or("");
    e.targetName = r[7].value_or("");
    e.reason = r[8].value_or("");
    e.createdAt = r[9].value_or("");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace carrel::control
