#include "ChatJson.hpp"

namespace carrel::control {

json::Object chatMessageJson(const ChatMessage& m) {
  json::Object from;
  from.set("participant", m.author.participant).set("name", m.author.name);
  if (m.author.userId) from.set("user_id", static_cast<int64_t>(m.author.userId));
  json::Object o;
  o.set("id", static_cast<int64_t>(m.id)).set("from", from.get()).set("ts", m.ts);
  if (m.deleted) {
    o.setBool("deleted", true);
    return o;
  }
  o.set("text", m.text);
  if (m.editedTs) o.set("edited_ts", m.editedTs);
  if (m.attachment) o.set("attachment", materialJson(*m.attachment).get());
  return o;
}

json::Object materialJson(const Material& m) {
  json::Object o;
  o.set("id", static_cast<int64_t>(m.id))
      .set("room", m.room)
      .set("name", m.name)
      .set("size", m.size)
      .set("type", m.contentType)
      .set("uploader", static_cast<int64_t>(m.uploaderId))
      .set("created_at", m.createdMs)
      .set("url", "/api/v1/materials/" + std::to_string(m.id));
  return o;
}

}  // namespace carrel::control
