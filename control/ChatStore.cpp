#include "ChatStore.hpp"

#include <cstdlib>

namespace carrel::control {

namespace {

// Larger than any AUTO_INCREMENT id: "before the newest".
constexpr const char* kNoUpperBound = "18446744073709551615";

constexpr const char* kSelect =
    "SELECT c.id, c.room_id, c.user_id, c.participant, c.author_name, c.body, c.created_ms, "
    "c.edited_ms, c.deleted_ms, m.id, m.room_id, m.uploader_id, m.display_name, m.sha256, "
    "m.size, m.content_type, m.created_ms "
    "FROM chat_messages c LEFT JOIN materials m ON m.id = c.material_id ";

uint64_t u64(const MySqlConnection::Value& v) {
  return v ? std::strtoull(v->c_str(), nullptr, 10) : 0;
}

int64_t i64(const MySqlConnection::Value& v) {
  return v ? std::strtoll(v->c_str(), nullptr, 10) : 0;
}

ChatMessage fromRow(const MySqlConnection::Row& r) {
  ChatMessage m;
  m.id = u64(r[0]);
  m.room = r[1].value_or("");
  m.author.userId = u64(r[2]);
  m.author.participant = r[3].value_or("");
  m.author.name = r[4].value_or("");
  m.text = r[5].value_or("");
  m.ts = i64(r[6]);
  m.editedTs = i64(r[7]);
  m.deleted = r[8].has_value();
  if (r[9]) m.attachment = MaterialStore::fromRow(r, 9);
  return m;
}

MySqlConnection::Value idOrNull(uint64_t id) {
  return id ? MySqlConnection::Value(std::to_string(id)) : std::nullopt;
}

}  // namespace

bool ChatStore::owns(const ChatAuthor& who, const ChatMessage& m) {
  if (m.author.userId) return who.userId == m.author.userId;
  return !who.participant.empty() && who.participant == m.author.participant;
}

ChatResult ChatStore::insert(ChatMessage* m, std::string* error) {
  uint64_t material = m->attachment ? m->attachment->id : 0;
  if (material) {
    Material found;
    StoreResult r = MaterialStore(db_).get(material, &found, error);
    if (r == StoreResult::Failed) return ChatResult::Failed;
    if (r == StoreResult::NotFound || found.room != m->room) return ChatResult::NoSuchMaterial;
    m->attachment = found;
  }
  if (!db_.execute("INSERT INTO chat_messages (room_id, user_id, participant, author_name, body, "
                   "material_id, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {m->room, idOrNull(m->author.userId), m->author.participant, m->author.name,
                    m->text, idOrNull(material), std::to_string(m->ts)},
                   error)) {
    return ChatResult::Failed;
  }
  auto rows = db_.query("SELECT LAST_INSERT_ID()", {}, error);
  if (!rows || rows->empty()) return ChatResult::Failed;
  m->id = u64(rows->front()[0]);
  return ChatResult::Ok;
}

std::optional<std::vector<ChatMessage>> ChatStore::history(const std::string& room,
                                                           uint64_t beforeId, int limit,
                                                           std::string* error) {
  auto rows = db_.query(
      std::string(kSelect) + "WHERE c.room_id = ? AND c.id < ? ORDER BY c.id DESC LIMIT ?",
      {room, beforeId ? std::to_string(beforeId) : kNoUpperBound, std::to_string(limit)}, error);
  if (!rows) return std::nullopt;
  std::vector<ChatMessage> out;
  for (auto it = rows->rbegin(); it != rows->rend(); ++it) out.push_back(fromRow(*it));
  return out;
}

std::optional<ChatMessage> ChatStore::find(const std::string& room, uint64_t id,
                                           std::string* error) {
  auto rows = db_.query(std::string(kSelect) + "WHERE c.room_id = ? AND c.id = ?",
                        {room, std::to_string(id)}, error);
  if (!rows) return std::nullopt;
  if (rows->empty()) return ChatMessage{};
  return fromRow(rows->front());
}

ChatResult ChatStore::edit(const std::string& room, uint64_t id, const ChatAuthor& who,
                           const std::string& text, int64_t nowMs, ChatMessage* out,
                           std::string* error) {
  auto m = find(room, id, error);
  if (!m) return ChatResult::Failed;
  if (!m->id || m->deleted) return ChatResult::NotFound;
  if (!owns(who, *m)) return ChatResult::NotYours;
  uint64_t affected = 0;
  // deleted_ms IS NULL again: another node may have deleted it since the read.
  if (!db_.execute("UPDATE chat_messages SET body = ?, edited_ms = ? "
                   "WHERE id = ? AND deleted_ms IS NULL",
                   {text, std::to_string(nowMs), std::to_string(id)}, error, &affected)) {
    return ChatResult::Failed;
  }
  if (affected == 0) return ChatResult::NotFound;
  m->text = text;
  m->editedTs = nowMs;
  if (out) *out = *m;
  return ChatResult::Ok;
}

ChatResult ChatStore::remove(const std::string& room, uint64_t id, const ChatAuthor& who,
                             bool anyMessage, int64_t nowMs, std::string* error,
                             ChatMessage* removed) {
  auto m = find(room, id, error);
  if (!m) return ChatResult::Failed;
  if (!m->id || m->deleted) return ChatResult::NotFound;
  if (!anyMessage && !owns(who, *m)) return ChatResult::NotYours;
  uint64_t affected = 0;
  // The text and attachment go for good; the row stays as a tombstone so history keeps its ids.
  if (!db_.execute("UPDATE chat_messages SET body = '', material_id = NULL, deleted_ms = ?, "
                   "deleted_by = ? WHERE id = ? AND deleted_ms IS NULL",
                   {std::to_string(nowMs), idOrNull(who.userId), std::to_string(id)}, error,
                   &affected)) {
    return ChatResult::Failed;
  }
  if (affected && removed) *removed = *m;
  return affected ? ChatResult::Ok : ChatResult::NotFound;
}

}  // namespace carrel::control
