#include "RecordingStore.hpp"

#include <cstdlib>

namespace carrel::control {

namespace {
constexpr const char* kColumns =
    "SELECT id, room_id, started_by, folder, state,"
    " CAST(UNIX_TIMESTAMP(started_at) * 1000 AS SIGNED),"
    " CAST(COALESCE(UNIX_TIMESTAMP(stopped_at) * 1000, 0) AS SIGNED),"
    " duration_ms, capture_bytes, video_bytes, tracks, participants, render_percent,"
    " render_eta_s, render_error, render_attempts FROM recordings ";

int64_t toInt(const MySqlConnection::Value& v) {
  return v ? std::strtoll(v->c_str(), nullptr, 10) : 0;
}

RecordingRow fromRow(const MySqlConnection::Row& r) {
  RecordingRow x;
  x.id = r[0].value_or("");
  x.roomId = r[1].value_or("");
  x.startedBy = static_cast<uint64_t>(toInt(r[2]));
  x.folder = r[3].value_or("");
  x.state = r[4].value_or("");
  x.startedAtMs = toInt(r[5]);
  x.stoppedAtMs = toInt(r[6]);
  x.durationMs = toInt(r[7]);
  x.captureBytes = toInt(r[8]);
  x.videoBytes = toInt(r[9]);
  x.tracks = toInt(r[10]);
  x.participants = r[11].value_or("[]");
  x.renderPercent = r[12] ? std::strtod(r[12]->c_str(), nullptr) : 0;
  if (r[13]) x.renderEtaS = std::strtod(r[13]->c_str(), nullptr);
  x.renderError = r[14].value_or("");
  x.renderAttempts = toInt(r[15]);
  return x;
}
}  // namespace

bool RecordingStore::create(const std::string& id, const std::string& room, uint64_t startedBy,
                            const std::string& folder, std::string* error) {
  MySqlConnection::Value by;
  if (startedBy) by = std::to_string(startedBy);
  return db_.execute(
      "INSERT INTO recordings (id, room_id, started_by, folder, state) VALUES (?, ?, ?, ?, "
      "'recording')",
      {id, room, by, folder}, error);
}

bool RecordingStore::finishCapture(const std::string& id, int64_t durationMs, int64_t bytes,
                                   int64_t tracks, const std::string& participantsJson,
                                   std::string* error) {
  return db_.execute(
      "UPDATE recordings SET state = 'queued', stopped_at = CURRENT_TIMESTAMP(3),"
      " duration_ms = ?, capture_bytes = ?, tracks = ?, participants = ? WHERE id = ?",
      {std::to_string(durationMs), std::to_string(bytes), std::to_string(tracks),
       participantsJson.substr(0, 4000), id},
      error);
}

bool RecordingStore::setRenderState(const std::string& id, const std::string& state, double percent,
                                    std::optional<double> etaS, const std::string& renderError,
                                    std::string* error) {
  MySqlConnection::Value eta;
  if (etaS) eta = std::to_string(*etaS);
  return db_.execute(
      "UPDATE recordings SET state = ?, render_percent = ?, render_eta_s = ?, render_error = ?"
      " WHERE id = ?",
      {state, std::to_string(percent), eta, renderError.substr(0, 1000), id}, error);
}

bool RecordingStore::renderStarted(const std::string& id, std::string* error) {
  return db_.execute(
      "UPDATE recordings SET state = 'rendering', render_percent = 0, render_eta_s = NULL,"
      " render_error = '', render_attempts = render_attempts + 1 WHERE id = ?",
      {id}, error);
}

bool RecordingStore::renderReady(const std::string& id, int64_t videoBytes, std::string* error) {
  return db_.execute(
      "UPDATE recordings SET state = 'ready', render_percent = 100, render_eta_s = 0,"
      " render_error = '', video_bytes = ? WHERE id = ?",
      {std::to_string(videoBytes), id}, error);
}

std::optional<std::vector<RecordingRow>> RecordingStore::select(
    const std::string& where, const std::vector<MySqlConnection::Value>& p, std::string* error) {
  auto rows = db_.query(std::string(kColumns) + where, p, error);
  if (!rows) return std::nullopt;
  std::vector<RecordingRow> out;
  for (const auto& r : *rows) {
    if (r.size() >= 16) out.push_back(fromRow(r));
  }
  return out;
}

std::optional<RecordingRow> RecordingStore::get(const std::string& id, std::string* error) {
  auto rows = select("WHERE id = ?", {id}, error);
  if (!rows || rows->empty()) return std::nullopt;
  return rows->front();
}

std::optional<std::vector<RecordingRow>> RecordingStore::listByRoom(const std::string& room,
                                                                    int limit, std::string* error) {
  return select("WHERE room_id = ? ORDER BY started_at DESC, id LIMIT ?",
                {room, std::to_string(limit)}, error);
}

std::optional<RecordingRow> RecordingStore::activeInRoom(const std::string& room,
                                                         std::string* error) {
  auto rows = select("WHERE room_id = ? AND state = 'recording' ORDER BY started_at DESC LIMIT 1",
                     {room}, error);
  if (!rows || rows->empty()) return std::nullopt;
  return rows->front();
}

std::optional<std::vector<RecordingRow>> RecordingStore::inState(const std::string& state,
                                                                 std::string* error) {
  return select("WHERE state = ? ORDER BY started_at", {state}, error);
}

std::optional<std::vector<RecordingRow>> RecordingStore::olderThan(int days, std::string* error) {
  return select(
      "WHERE stopped_at IS NOT NULL AND stopped_at < CURRENT_TIMESTAMP(3) - INTERVAL ? DAY",
      {std::to_string(days)}, error);
}

namespace {
// A capture that ended without its stop: failed, with why, stopped now (tracks kept).
const std::string kAbandon =
    "UPDATE recordings SET state = 'failed', render_error = ?, stopped_at = CURRENT_TIMESTAMP(3)"
    " WHERE state = 'recording' AND ";
}  // namespace

bool RecordingStore::abandonCaptures(const std::string& room, const std::string& keep,
                                     const std::string& why, std::string* error) {
  return db_.execute(kAbandon + "room_id = ? AND id <> ?", {why, room, keep}, error);
}

bool RecordingStore::abandonCapture(const std::string& id, const std::string& why,
                                    std::string* error, bool* closed) {
  uint64_t affected = 0;
  bool ok = db_.execute(kAbandon + "id = ?", {why, id}, error, &affected);
  if (closed) *closed = ok && affected > 0;
  return ok;
}

bool RecordingStore::remove(const std::string& id, std::string* error) {
  return db_.execute("DELETE FROM recordings WHERE id = ?", {id}, error);
}

}  // namespace carrel::control
