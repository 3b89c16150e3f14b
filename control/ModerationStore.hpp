// Moderation in MariaDB (migration 008): appointed moderators, the owner (rooms.owner_id),
// bans, a room's lock and waiting-room switches, and the audit log. Synchronous: runs on a
// DbWorker's thread; every statement is prepared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "MySqlConnection.hpp"

namespace carrel::control {

struct Ban {
  uint64_t id = 0;
  std::string room;  // "" = everywhere
  uint64_t userId = 0;
  std::string reason;
  std::optional<int64_t> expiresAtMs;  // nullopt: for good
  std::string userName;                // the banned user's display name (when listed)
};

struct RoomFlags {
  bool locked = false;
  bool waitingRoom = false;
  int afkCameraOffSeconds = 0;  // the room's AFK policy (migration 010); 0: none
};

// What decides a user's role in a room, read in one go.
struct Standing {
  bool roomExists = false;
  uint64_t ownerId = 0;
  bool moderator = false;
};

struct AuditEntry {
  uint64_t id = 0;
  std::string room;
  uint64_t actorId = 0;  // 0: the server itself
  std::string actorName;
  std::string action;
  uint64_t targetUserId = 0;
  std::string targetParticipant;
  std::string targetName;
  std::string reason;
  std::string createdAt;  // as MariaDB writes it (UTC)
};

// What the admin API reads of the audit log: every field but limit is optional (0 or "").
struct AuditFilter {
  std::string room;
  uint64_t actorId = 0;
  std::string action;
  uint64_t targetUserId = 0;
  uint64_t beforeId = 0;  // only rows older than this id (paging)
  int limit = 50;
};

class ModerationStore {
 public:
  explicit ModerationStore(MySqlConnection& db) : db_(db) {}

  std::optional<Standing> standing(const std::string& room, uint64_t userId, std::string* error);
  bool setModerator(const std::string& room, uint64_t userId, bool on, uint64_t by,
                    std::string* error);
  // Makes userId the owner; the new owner is no longer listed as a moderator.
  bool setOwner(const std::string& room, uint64_t userId, std::string* error);

  // The ban in force for the user in that room (or everywhere) at nowMs; the longest wins.
  std::optional<Ban> activeBan(const std::string& room, uint64_t userId, int64_t nowMs,
                               std::string* error, bool* failed);
  bool addBan(const Ban& ban, uint64_t by, std::string* error);
  // The bans in force at nowMs in room ("" = the bans from every room), newest first.
  std::optional<std::vector<Ban>> bansInForce(const std::string& room, int64_t nowMs,
                                              std::string* error);
  // Ends the user's bans in force in room ("": the bans from every room, not a room's own);
  // how many were lifted, nullopt on failure. The row stays (lifted_at) for the record.
  std::optional<uint64_t> liftBans(const std::string& room, uint64_t userId, int64_t nowMs,
                                   std::string* error);

  std::optional<RoomFlags> flags(const std::string& room, std::string* error);
  bool setLocked(const std::string& room, bool on, std::string* error);
  bool setWaitingRoom(const std::string& room, bool on, std::string* error);
  bool setAfkCameraOff(const std::string& room, int seconds, std::string* error);

  bool audit(const AuditEntry& e, std::string* error);
  // Newest first; room "" reads every room's. beforeId 0: from the newest.
  std::optional<std::vector<AuditEntry>> auditLog(const std::string& room, uint64_t beforeId,
                                                  int limit, std::string* error);
  std::optional<std::vector<AuditEntry>> auditLog(const AuditFilter& filter, std::string* error);

 private:
  MySqlConnection& db_;
};

}  // namespace carrel::control
