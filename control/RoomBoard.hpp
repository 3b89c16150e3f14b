// The room board: what the room did together (alarms acknowledged, todos finished, the day's
// study king), shown live to the room and kept in MariaDB as part of the room's history.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "DbWorker.hpp"
#include "GPtr.hpp"
#include "RoomDirectory.hpp"

namespace carrel::control {

struct BoardPost {
  int64_t id = 0;
  std::string room;
  int64_t tsMs = 0;
  std::string kind;  // ack, king, todo
  int64_t userId = 0;
  std::string text;
};

class RoomBoard {
 public:
  RoomBoard(DbWorker& worker, RoomDirectory& rooms) : worker_(worker), rooms_(rooms) {}

  // Broadcasts {"type":"board",...} to the room and appends it to the history.
  void post(const std::string& room, const std::string& kind, int64_t userId,
            const std::string& text);
  // The latest posts of a room, oldest first (on the DbWorker's thread).
  // {"id","ts","kind","text","user_id"} as the REST board and board_history show a post.
  static JsonObjectPtr toJson(const BoardPost& p);
  static std::optional<std::vector<BoardPost>> recent(MySqlConnection& db, const std::string& room,
                                                      int limit, std::string* error);

 private:
  DbWorker& worker_;
  RoomDirectory& rooms_;
};

}  // namespace carrel::control
