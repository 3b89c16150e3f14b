// One user's todo lists in MariaDB (synchronous, on the DbWorker's thread): one list per study
// day, items added, renamed, checked off or removed by their owner only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "MySqlConnection.hpp"

namespace carrel::control {

struct Todo {
  int64_t id = 0;
  int64_t day = 0;  // study day (days since 1970-01-01)
  std::string text;
  int64_t createdMs = 0;
  int64_t doneMs = 0;  // 0: not done
  std::string doneRoom;
};

class TodoStore {
 public:
  static constexpr int kMaxPerDay = 50;
  static constexpr int kMaxText = 200;

  // Unavailable: Failed because the database could not be reached (set by the caller, from
  // MySqlConnection::unavailable, as the store's statements only report failing).
  enum class Status { Ok, NotFound, TooMany, Failed, Unavailable };

  explicit TodoStore(MySqlConnection& db) : db_(db) {}

  std::optional<std::vector<Todo>> list(int64_t userId, int64_t day, std::string* error);
  Status add(int64_t userId, int64_t day, const std::string& text, int64_t nowMs, Todo* out,
             std::string* error);
  // Changes what is given. *checkedOff is true when this call turned the item done (so the
  // board hears of it once, however often a client repeats the request).
  Status update(int64_t userId, int64_t id, const std::optional<std::string>& text,
                std::optional<bool> done, int64_t nowMs, const std::string& room, Todo* out,
                bool* checkedOff, std::string* error);
  Status remove(int64_t userId, int64_t id, std::string* error);

 private:
  Status get(int64_t userId, int64_t id, Todo* out, std::string* error);
  MySqlConnection& db_;
};

}  // namespace carrel::control
