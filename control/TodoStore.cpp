#include "TodoStore.hpp"

#include <glib.h>

#include "DayBoundary.hpp"

namespace carrel::control {

namespace {

std::string str(int64_t v) {
  return std::to_string(v);
}

int64_t num(const MySqlConnection::Value& v) {
  return v ? g_ascii_strtoll(v->c_str(), nullptr, 10) : 0;
}

constexpr const char* kColumns =
    "SELECT id, DATEDIFF(day, '1970-01-01'), text, created_ms, COALESCE(done_ms, 0), "
    "COALESCE(done_room, '') FROM study_todos ";

Todo fromRow(const MySqlConnection::Row& r) {
  return {num(r[0]), num(r[1]), r[2].value_or(""), num(r[3]), num(r[4]), r[5].value_or("")};
}

}  // namespace

std::optional<std::vector<Todo>> TodoStore::list(int64_t userId, int64_t day, std::string* error) {
  auto rows = db_.query(std::string(kColumns) + "WHERE user_id = ? AND day = ? ORDER BY id",
                        {str(userId), DayBoundary::dayString(day)}, error);
  if (!rows) return std::nullopt;
  std::vector<Todo> out;
  for (const auto& r : *rows) out.push_back(fromRow(r));
  return out;
}

TodoStore::Status TodoStore::get(int64_t userId, int64_t id, Todo* out, std::string* error) {
  auto rows = db_.query(std::string(kColumns) + "WHERE id = ? AND user_id = ?",
                        {str(id), str(userId)}, error);
  if (!rows) return Status::Failed;
  if (rows->empty()) return Status::NotFound;
  *out = fromRow(rows->front());
  return Status::Ok;
}

TodoStore::Status TodoStore::add(int64_t userId, int64_t day, const std::string& text,
                                 int64_t nowMs, Todo* out, std::string* error) {
  auto count = db_.query("SELECT COUNT(*) FROM study_todos WHERE user_id = ? AND day = ?",
                         {str(userId), DayBoundary::dayString(day)}, error);
  if (!count || count->empty()) return Status::Failed;
  if (num(count->front()[0]) >= kMaxPerDay) return Status::TooMany;
  if (!db_.execute("INSERT INTO study_todos (user_id, day, text, created_ms) VALUES (?, ?, ?, ?)",
                   {str(userId), DayBoundary::dayString(day), text, str(nowMs)}, error)) {
    return Status::Failed;
  }
  auto id = db_.query("SELECT LAST_INSERT_ID()", {}, error);
  if (!id || id->empty()) return Status::Failed;
  return get(userId, num(id->front()[0]), out, error);
}

TodoStore::Status TodoStore::update(int64_t userId, int64_t id,
                                    const std::optional<std::string>& text,
                                    std::optional<bool> done, int64_t nowMs,
                                    const std::string& room, Todo* out, bool* checkedOff,
                                    std::string* error) {
  *checkedOff = false;
  Todo before;
  if (Status s = get(userId, id, &before, error); s != Status::Ok) return s;
  if (text && !db_.execute("UPDATE study_todos SET text = ? WHERE id = ? AND user_id = ?",
                           {*text, str(id), str(userId)}, error)) {
    return Status::Failed;
  }
  if (done) {
    uint64_t changed = 0;
    MySqlConnection::Value where;
    if (!room.empty()) where = room;
    bool ok = *done ? db_.execute(
                          "UPDATE study_todos SET done_ms = ?, done_room = ? WHERE id = ? AND "
                          "user_id = ? AND done_ms IS NULL",
                          {str(nowMs), where, str(id), str(userId)}, error, &changed)
                    : db_.execute(
                          "UPDATE study_todos SET done_ms = NULL, done_room = NULL WHERE id = ? "
                          "AND user_id = ?",
                          {str(id), str(userId)}, error);
    if (!ok) return Status::Failed;
    *checkedOff = *done && changed == 1;
  }
  return get(userId, id, out, error);
}

TodoStore::Status TodoStore::remove(int64_t userId, int64_t id, std::string* error) {
  uint64_t gone = 0;
  if (!db_.execute("DELETE FROM study_todos WHERE id = ? AND user_id = ?", {str(id), str(userId)},
                   error, &gone)) {
    return Status::Failed;
  }
  return gone ? Status::Ok : Status::NotFound;
}

}  // namespace carrel::control
