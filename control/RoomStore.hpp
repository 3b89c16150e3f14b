// Rooms in MariaDB (synchronous, on the DbWorker's thread, prepared statements only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "MySqlConnection.hpp"
#include "UserStore.hpp"

namespace carrel::control {

struct Room {
  std::string id;
  std::string title;
  std::string description;
  std::string category;
  std::vector<std::string> tags;
  bool isPrivate = false;
  bool hasPassword = false;
  std::string inviteCode;  // only shown to the owner
  int capacity = 50;
  uint64_t ownerId = 0;  // 0: no owner (made by a join before accounts)
  std::string ownerName;
  std::string createdAt;
  bool recording = false;  // search() only: a capture's catalog row is open
};

struct RoomQuery {
  std::string text;      // in the title
  std::string tag;       // exact tag
  std::string category;  // exact category
  uint64_t viewer = 0;   // also lists this user's own private rooms
  int offset = 0;
  int limit = 20;
};

class RoomStore {
 public:
  explicit RoomStore(MySqlConnection& db) : db_(db) {}

  // Conflict when the id is taken.
  StoreResult create(const Room& room, const std::string& passwordHash, std::string* error);
  // Who a room lets in to its history and files: those who have joined it (room_visitors)
  // and its owner; admins are let in by the caller.
  std::optional<bool> isMember(const std::string& room, uint64_t userId, std::string* error);
  // Remembers that a signed-in user joined a room (the first time counts).
  bool recordVisit(const std::string& room, uint64_t userId, int64_t nowMs, std::string* error);
  StoreResult get(const std::string& id, Room* out, std::string* error);
  // Locks the room's row until the caller's transaction ends (SELECT ... FOR UPDATE).
  StoreResult lockForUpdate(const std::string& id, std::string* error);
  // Replaces the editable fields; passwordHash nullopt keeps the current one.
  StoreResult update(const Room& room, const std::optional<std::string>& passwordHash,
                     std::string* error);
  StoreResult remove(const std::string& id, std::string* error);
  std::optional<std::vector<Room>> search(const RoomQuery& q, std::string* error);
  // The stored password hash ("" when the room has none).
  std::optional<std::string> passwordHash(const std::string& id, std::string* error);

  // Hashtags of a title plus explicit tags: lower-case, unique, at most 10 of 1..32 bytes.
  static std::vector<std::string> normalizeTags(const std::string& title,
                                                const std::vector<std::string>& tags);

 private:
  bool writeTags(const std::string& id, const std::vector<std::string>& tags, std::string* error);
  std::vector<std::string> readTags(const std::string& id, std::string* error);
  MySqlConnection& db_;
};

}  // namespace carrel::control
