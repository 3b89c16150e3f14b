#include "RoomBoard.hpp"

#include <algorithm>

#include "Json.hpp"

namespace carrel::control {

void RoomBoard::post(const std::string& room, const std::string& kind, int64_t userId,
                     const std::string& text) {
  int64_t ts = g_get_real_time() / 1000;
  json::Object m;
  m.set("type", "board").set("room", room).set("kind", kind).set("text", text).set("ts", ts);
  if (userId) {
    m.set("user_id", userId);
  } else {
    m.setNull("user_id");
  }
  rooms_.broadcast(room, "", m.get());
  worker_.run([room, kind, userId, text, ts](MySqlConnection& db) {
    std::string why;
    MySqlConnection::Value user;
    if (userId) user = std::to_string(userId);
    if (!db.execute("INSERT INTO room_board (room_id, ts_ms, kind, user_id, text) VALUES (?, ?, "
                    "?, ?, ?)",
                    {room, std::to_string(ts), kind, user, text}, &why)) {
      g_warning("board of room %s: %s", room.c_str(), why.c_str());
    }
  });
}

JsonObjectPtr RoomBoard::toJson(const BoardPost& p) {
  json::Object o;
  o.set("id", p.id).set("ts", p.tsMs).set("kind", p.kind).set("text", p.text);
  if (p.userId) {
    o.set("user_id", p.userId);
  } else {
    o.setNull("user_id");
  }
  return o.take();
}

std::optional<std::vector<BoardPost>> RoomBoard::recent(MySqlConnection& db,
                                                        const std::string& room, int limit,
                                                        std::string* error) {
  auto rows = db.query(
      "SELECT id, ts_ms, kind, COALESCE(user_id, 0), text FROM room_board WHERE room_id = ? "
      "ORDER BY id DESC LIMIT 200",  // the most any caller may ask for (placeholders are text)
      {room}, error);
  if (!rows) return std::nullopt;
  std::vector<BoardPost> out;
  for (const auto& r : *rows) {
    auto n = [&](size_t i) { return r[i] ? g_ascii_strtoll(r[i]->c_str(), nullptr, 10) : 0; };
    out.push_back({n(0), room, n(1), r[2].value_or(""), n(3), r[4].value_or("")});
  }
  if (out.size() > static_cast<size_t>(limit)) out.resize(static_cast<size_t>(limit));
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace carrel::control
