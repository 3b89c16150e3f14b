#include "RoomStore.hpp"

#include <algorithm>
#include <cstdlib>

namespace carrel::control {

namespace {

// Columns read by get() and search(), in this order.
Room roomFrom(const MySqlConnection::Row& r) {
  Room room;
  room.id = r[0].value_or("");
  room.title = r[1].value_or("");
  room.description = r[2].value_or("");
  room.category = r[3].value_or("");
  room.isPrivate = r[4].value_or("0") == "1";
  room.hasPassword = r[5].value_or("0") == "1";
  room.inviteCode = r[6].value_or("");
  room.capacity = std::atoi(r[7].value_or("50").c_str());
  room.ownerId = std::strtoull(r[8].value_or("0").c_str(), nullptr, 10);
  room.ownerName = r[9].value_or("");
  room.createdAt = r[10].value_or("");
  if (r.size() > 11) room.recording = r[11].value_or("0") == "1";
  return room;
}

bool tagChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// LIKE treats % and _ as wildcards: a search for "100%" means those characters.
std::string likeEscaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::vector<std::string> RoomStore::normalizeTags(const std::string& title,
                                                  const std::vector<std::string>& tags) {
  std::vector<std::string> all;
  auto add = [&](std::string t) {
    t = lower(t);
    std::string clean;
    for (char c : t) {
      if (tagChar(c)) clean.push_back(c);
    }
    if (clean.empty() || clean.size() > 32) return;
    if (std::find(all.begin(), all.end(), clean) == all.end() && all.size() < 10) {
      all.push_back(clean);
    }
  };
  for (const auto& t : tags) add(!t.empty() && t[0] == '#' ? t.substr(1) : t);
  std::string low = lower(title);
  for (size_t i = 0; i < low.size(); ++i) {
    if (low[i] != '#') continue;
    size_t j = i + 1;
    while (j < low.size() && tagChar(low[j])) ++j;
    add(low.substr(i + 1, j - i - 1));
    i = j - 1;
  }
  return all;
}

bool RoomStore::writeTags(const std::string& id, const std::vector<std::string>& tags,
                          std::string* error) {
  if (!db_.execute("DELETE FROM room_tags WHERE room_id = ?", {id}, error)) return false;
  for (const auto& t : tags) {
    if (!db_.execute("INSERT IGNORE INTO room_tags (room_id, tag) VALUES (?, ?)", {id, t}, error)) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> RoomStore::readTags(const std::string& id, std::string* error) {
  std::vector<std::string> out;
  auto rows = db_.query("SELECT tag FROM room_tags WHERE room_id = ? ORDER BY tag", {id}, error);
  if (rows) {
    for (auto& r : *rows) out.push_back(r[0].value_or(""));
  }
  return out;
}

StoreResult RoomStore::create(const Room& room, const std::string& passwordHash,
                              std::string* error) {
  uint64_t affected = 0;
  MySqlConnection::Value hash;
  if (!passwordHash.empty()) hash = passwordHash;
  MySqlConnection::Value invite;
  if (!room.inviteCode.empty()) invite = room.inviteCode;
  if (!db_.execute("INSERT IGNORE INTO rooms (id, title, description, category, is_private, "
                   "password_hash, invite_code, capacity, owner_id) VALUES (?, ?, ?, ?, ?, ?, ?, "
                   "?, ?)",
                   {room.id, room.title, room.description, room.category,
                    std::string(room.isPrivate ? "1" : "0"), hash, invite,
                    std::to_string(room.capacity), std::to_string(room.ownerId)},
                   error, &affected)) {
    return StoreResult::Failed;
  }
  if (affected == 0) return StoreResult::Conflict;
  return writeTags(room.id, room.tags, error) ? StoreResult::Ok : StoreResult::Failed;
}

StoreResult RoomStore::get(const std::string& id, Room* out, std::string* error) {
  auto rows = db_.query(
      "SELECT r.id, r.title, r.description, r.category, r.is_private, "
      "r.password_hash IS NOT NULL, r.invite_code, r.capacity, r.owner_id, u.display_name, "
      "r.created_at FROM rooms r LEFT JOIN users u ON u.id = r.owner_id WHERE r.id = ?",
      {id}, error);
  if (!rows) return StoreResult::Failed;
  if (rows->empty()) return StoreResult::NotFound;
  if (out) {
    *out = roomFrom(rows->front());
    out->tags = readTags(id, error);
  }
  return StoreResult::Ok;
}

StoreResult RoomStore::lockForUpdate(const std::string& id, std::string* error) {
  auto rows = db_.query("SELECT id FROM rooms WHERE id = ? FOR UPDATE", {id}, error);
  if (!rows) return StoreResult::Failed;
  return rows->empty() ? StoreResult::NotFound : StoreResult::Ok;
}

StoreResult RoomStore::update(const Room& room, const std::optional<std::string>& passwordHash,
                              std::string* error) {
  uint64_t affected = 0;
  bool ok;
  if (passwordHash) {
    MySqlConnection::Value hash;
    if (!passwordHash->empty()) hash = *passwordHash;
    ok = db_.execute(
        "UPDATE rooms SET title = ?, description = ?, category = ?, is_private = ?, "
        "capacity = ?, password_hash = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?",
        {room.title, room.description, room.category, std::string(room.isPrivate ? "1" : "0"),
         std::to_string(room.capacity), hash, room.id},
        error, &affected);
  } else {
    ok = db_.execute(
        "UPDATE rooms SET title = ?, description = ?, category = ?, is_private = ?, "
        "capacity = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?",
        {room.title, room.description, room.category, std::string(room.isPrivate ? "1" : "0"),
         std::to_string(room.capacity), room.id},
        error, &affected);
  }
  if (!ok) return StoreResult::Failed;
  if (affected == 0) return StoreResult::NotFound;
  return writeTags(room.id, room.tags, error) ? StoreResult::Ok : StoreResult::Failed;
}

StoreResult RoomStore::remove(const std::string& id, std::string* error) {
  uint64_t affected = 0;
  if (!db_.execute("DELETE FROM rooms WHERE id = ?", {id}, error, &affected)) {
    return StoreResult::Failed;
  }
  return affected ? StoreResult::Ok : StoreResult::NotFound;
}

std::optional<std::vector<Room>> RoomStore::search(const RoomQuery& q, std::string* error) {
  // Paging through ROW_NUMBER keeps LIMIT's integer-only placeholder out of the statement.
  auto rows = db_.query(
      "SELECT id, title, description, category, is_private, has_password, invite_code, "
      "capacity, owner_id, owner_name, created_at, recording FROM ("
      " SELECT r.id, r.title, r.description, r.category, r.is_private,"
      "  r.password_hash IS NOT NULL AS has_password, r.invite_code, r.capacity, r.owner_id,"
      "  u.display_name AS owner_name, r.created_at,"
      "  EXISTS (SELECT 1 FROM recordings c WHERE c.room_id = r.id AND c.state = 'recording')"
      "   AS recording,"
      "  ROW_NUMBER() OVER (ORDER BY r.created_at DESC, r.id) AS rn"
      " FROM rooms r LEFT JOIN users u ON u.id = r.owner_id"
      " WHERE (r.is_private = 0 OR r.owner_id = ?)"
      "  AND (? = '' OR r.title LIKE CONCAT('%', ?, '%'))"
      "  AND (? = '' OR r.category = ?)"
      "  AND (? = '' OR EXISTS (SELECT 1 FROM room_tags t WHERE t.room_id = r.id AND t.tag = ?))"
      ") page WHERE rn > ? AND rn <= ? ORDER BY rn",
      {std::to_string(q.viewer), q.text, likeEscaped(q.text), q.category, q.category, q.tag, q.tag,
       std::to_string(q.offset), std::to_string(q.offset + q.limit)},
      error);
  if (!rows) return std::nullopt;
  std::vector<Room> out;
  for (auto& r : *rows) {
    out.push_back(roomFrom(r));
    out.back().tags = readTags(out.back().id, error);
  }
  return out;
}

std::optional<std::string> RoomStore::passwordHash(const std::string& id, std::string* error) {
  auto rows = db_.query("SELECT password_hash FROM rooms WHERE id = ?", {id}, error);
  if (!rows || rows->empty()) return std::nullopt;
  return rows->front()[0].value_or("");
}

std::optional<bool> RoomStore::isMember(const std::string& room, uint64_t userId,
                                        std::string* error) {
  auto rows = db_.query(
      "SELECT EXISTS (SELECT 1 FROM room_visitors WHERE room_id = ? AND user_id = ?) OR "
      "EXISTS (SELECT 1 FROM rooms WHERE id = ? AND owner_id = ?)",
      {room, std::to_string(userId), room, std::to_string(userId)}, error);
  if (!rows || rows->empty()) return std::nullopt;
  return rows->front()[0].value_or("0") == "1";
}

bool RoomStore::recordVisit(const std::string& room, uint64_t userId, int64_t nowMs,
                            std::string* error) {
  return db_.execute(
      "INSERT IGNORE INTO room_visitors (room_id, user_id, first_joined_ms) VALUES (?, ?, ?)",
      {room, std::to_string(userId), std::to_string(nowMs)}, error);
}

}  // namespace carrel::control
