#include "StudyLedger.hpp"

#include <glib.h>

namespace carrel::control {

namespace {

std::string str(int64_t v) {
  return std::to_string(v);
}

int64_t num(const MySqlConnection::Value& v) {
  return v ? g_ascii_strtoll(v->c_str(), nullptr, 10) : 0;
}

}  // namespace

DayBoundary StudyProfile::days() const {
  if (auto b = DayBoundary::make(timeZone, boundaryMinutes)) return *b;
  if (auto b = DayBoundary::make("UTC", boundaryMinutes)) return *b;
  return *DayBoundary::make("UTC");
}

StudyProfile StudyLedger::profile(int64_t userId, std::string* error) {
  StudyProfile p;
  auto rows = db_.query(
      "SELECT u.time_zone, COALESCE(s.day_boundary_min, 300), COALESCE(s.daily_goal_min, 120) "
      "FROM users u LEFT JOIN study_settings s ON s.user_id = u.id WHERE u.id = ?",
      {str(userId)}, error);
  if (rows && !rows->empty()) {
    const auto& r = rows->front();
    p.timeZone = r[0].value_or("UTC");
    p.boundaryMinutes = static_cast<int>(num(r[1]));
    p.goalMinutes = static_cast<int>(num(r[2]));
  }
  return p;
}

bool StudyLedger::saveProfile(int64_t userId, const StudyProfile& p, std::string* error) {
  return db_.execute("UPDATE users SET time_zone = ? WHERE id = ?", {p.timeZone, str(userId)},
                     error) &&
         db_.execute(
             "INSERT INTO study_settings (user_id, daily_goal_min, day_boundary_min) "
             "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE daily_goal_min = VALUES(daily_goal_min), "
             "day_boundary_min = VALUES(day_boundary_min)",
             {str(userId), str(p.goalMinutes), str(p.boundaryMinutes)}, error);
}

bool StudyLedger::open(const OpenInterval& o, std::vector<StudyTotal>* recovered,
                       std::string* error) {
  if (!db_.setAutocommit(false, error)) return false;
  auto fail = [&] {
    db_.rollback();
    db_.setAutocommit(true, nullptr);
    return false;
  };
  auto rows = db_.query(
      "SELECT room_id, started_ms, heartbeat_ms FROM study_open WHERE user_id = ? FOR UPDATE",
      {str(o.userId)}, error);
  if (!rows) return fail();
  if (!rows->empty()) {
    const auto& r = rows->front();
    auto pieces =
        closeLocked(o.userId, r[0].value_or(""), num(r[1]), num(r[2]), "recovered", error);
    if (!pieces) return fail();
    if (recovered) *recovered = std::move(*pieces);
  }
  if (!db_.execute(
          "INSERT INTO study_open (user_id, room_id, participant, node, started_ms, "
          "heartbeat_ms) VALUES (?, ?, ?, ?, ?, ?)",
          {str(o.userId), o.room, o.participant, o.node, str(o.startedMs), str(o.startedMs)},
          error) ||
      !db_.commit(error)) {
    return fail();
  }
  return db_.setAutocommit(true, error);
}

bool StudyLedger::heartbeat(const std::vector<int64_t>& users, int64_t nowMs, std::string* error) {
  for (int64_t u : users) {
    if (!db_.execute("UPDATE study_open SET heartbeat_ms = GREATEST(heartbeat_ms, ?) WHERE "
                     "user_id = ?",
                     {str(nowMs), str(u)}, error)) {
      return false;
    }
  }
  return true;
}

std::optional<std::vector<StudyTotal>> StudyLedger::closeLocked(int64_t userId,
                                                                const std::string& room,
                                                                int64_t startedMs, int64_t endMs,
                                                                const std::string& reason,
                                                                std::string* error) {
  std::vector<StudyTotal> out;
  StudyProfile p = profile(userId, error);
  auto last = db_.query(
      "SELECT DATEDIFF(MAX(day), '1970-01-01') FROM study_intervals WHERE "
      "user_id = ?",
      {str(userId)}, error);
  if (!last) return std::nullopt;
  int64_t notBefore = (!last->empty() && last->front()[0]) ? num(last->front()[0]) : INT64_MIN;
  for (const DayPiece& piece : p.days().split(startedMs, endMs, notBefore)) {
    if (!db_.execute("INSERT INTO study_intervals (user_id, room_id, day, started_ms, ended_ms, "
                     "reason) VALUES (?, ?, ?, ?, ?, ?)",
                     {str(userId), room, DayBoundary::dayString(piece.day), str(piece.fromMs),
                      str(piece.toMs), reason},
                     error)) {
      return std::nullopt;
    }
    out.push_back({userId, room, piece.day, piece.toMs - piece.fromMs});
  }
  if (!db_.execute("DELETE FROM study_open WHERE user_id = ?", {str(userId)}, error)) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<StudyTotal>> StudyLedger::close(int64_t userId, int64_t startedMs,
                                                          int64_t endMs, const std::string& reason,
                                                          std::string* error) {
  if (!db_.setAutocommit(false, error)) return std::nullopt;
  auto fail = [&]() -> std::optional<std::vector<StudyTotal>> {
    db_.rollback();
    db_.setAutocommit(true, nullptr);
    return std::nullopt;
  };
  auto rows =
      db_.query("SELECT room_id FROM study_open WHERE user_id = ? AND started_ms = ? FOR UPDATE",
                {str(userId), str(startedMs)}, error);
  if (!rows) return fail();
  std::vector<StudyTotal> pieces;
  if (!rows->empty()) {
    auto closed =
        closeLocked(userId, rows->front()[0].value_or(""), startedMs, endMs, reason, error);
    if (!closed) return fail();
    pieces = std::move(*closed);
  }
  if (!db_.commit(error)) return fail();
  db_.setAutocommit(true, error);
  return pieces;
}

std::optional<std::vector<OpenInterval>> StudyLedger::stale(int64_t staleBeforeMs,
                                                            std::string* error) {
  auto rows = db_.query(
      "SELECT user_id, room_id, participant, node, started_ms, heartbeat_ms FROM study_open "
      "WHERE heartbeat_ms < ?",
      {str(staleBeforeMs)}, error);
  if (!rows) return std::nullopt;
  std::vector<OpenInterval> out;
  for (const auto& r : *rows) {
    out.push_back(
        {num(r[0]), r[1].value_or(""), r[2].value_or(""), r[3].value_or(""), num(r[4]), num(r[5])});
  }
  return out;
}

std::optional<OpenInterval> StudyLedger::openOf(int64_t userId, std::string* error) {
  auto rows = db_.query(
      "SELECT user_id, room_id, participant, node, started_ms, heartbeat_ms FROM study_open "
      "WHERE user_id = ?",
      {str(userId)}, error);
  if (!rows || rows->empty()) return std::nullopt;
  const auto& r = rows->front();
  return OpenInterval{num(r[0]),         r[1].value_or(""), r[2].value_or(""),
                      r[3].value_or(""), num(r[4]),         num(r[5])};
}

std::optional<std::map<int64_t, int64_t>> StudyLedger::dayTotals(int64_t userId, int64_t fromDay,
                                                                 int64_t toDay,
                                                                 std::string* error) {
  auto rows = db_.query(
      "SELECT DATEDIFF(day, '1970-01-01'), SUM(ended_ms - started_ms) FROM study_intervals "
      "WHERE user_id = ? AND day BETWEEN ? AND ? GROUP BY day",
      {str(userId), DayBoundary::dayString(fromDay), DayBoundary::dayString(toDay)}, error);
  if (!rows) return std::nullopt;
  std::map<int64_t, int64_t> out;
  for (const auto& r : *rows) out[num(r[0])] = num(r[1]);
  return out;
}

std::optional<std::vector<StudyTotal>> StudyLedger::totalsSince(int64_t fromDay,
                                                                std::string* error) {
  auto rows = db_.query(
      "SELECT user_id, room_id, DATEDIFF(day, '1970-01-01'), SUM(ended_ms - started_ms) FROM "
      "study_intervals WHERE day >= ? GROUP BY user_id, room_id, day",
      {DayBoundary::dayString(fromDay)}, error);
  if (!rows) return std::nullopt;
  std::vector<StudyTotal> out;
  for (const auto& r : *rows) out.push_back({num(r[0]), r[1].value_or(""), num(r[2]), num(r[3])});
  return out;
}

std::map<int64_t, std::string> StudyLedger::names(const std::vector<int64_t>& ids,
                                                  std::string* error) {
  std::map<int64_t, std::string> out;
  for (int64_t id : ids) {
    auto rows = db_.query("SELECT display_name FROM users WHERE id = ?", {str(id)}, error);
    if (rows && !rows->empty()) out[id] = rows->front()[0].value_or("");
  }
  return out;
}

std::optional<std::string> StudyLedger::roomMode(const std::string& room, std::string* error) {
  auto rows = db_.query("SELECT mode FROM room_study_mode WHERE room_id = ?", {room}, error);
  if (!rows) return std::nullopt;
  if (rows->empty() || !rows->front()[0]) return std::string("manual");
  return *rows->front()[0];
}

bool StudyLedger::setRoomMode(const std::string& room, const std::string& mode,
                              std::string* error) {
  return db_.execute(
      "INSERT INTO room_study_mode (room_id, mode) VALUES (?, ?) ON DUPLICATE KEY UPDATE mode = "
      "VALUES(mode)",
      {room, mode}, error);
}

}  // namespace carrel::control
