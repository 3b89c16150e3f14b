// The recordings catalog in MariaDB (migration 007): synchronous, on the DbWorker's thread,
// prepared statements only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "BusProtocol.hpp"
#include "MySqlConnection.hpp"

namespace carrel::control {

struct RecordingRow {
  std::string id;
  std::string roomId;
  uint64_t startedBy = 0;
  std::string folder;
  std::string state;  // recording | queued | rendering | ready | failed
  int64_t startedAtMs = 0;
  int64_t stoppedAtMs = 0;  // 0 while recording
  int64_t durationMs = 0;
  int64_t captureBytes = 0;
  int64_t videoBytes = 0;
  int64_t tracks = 0;
  std::string participants;  // JSON array of names
  // Started so recently that its media node's liveness key (renewed with the node's heartbeat)
  // may not be in Redis yet: a missing key does not mean the capture died.
  bool keyMayBeMissing(int64_t nowMs) const {
    return nowMs - startedAtMs <= 2 * bus::kSfuNodeTtlMs;
  }
  double renderPercent = 0;
  std::optional<double> renderEtaS;
  std::string renderError;
  int64_t renderAttempts = 0;
};

class RecordingStore {
 public:
  explicit RecordingStore(MySqlConnection& db) : db_(db) {}

  bool create(const std::string& id, const std::string& room, uint64_t startedBy,
              const std::string& folder, std::string* error);
  // Capture finished: the numbers from the SFU, then queued for rendering.
  bool finishCapture(const std::string& id, int64_t durationMs, int64_t bytes, int64_t tracks,
                     const std::string& participantsJson, std::string* error);
  bool setRenderState(const std::string& id, const std::string& state, double percent,
                      std::optional<double> etaS, const std::string& renderError,
                      std::string* error);
  bool renderStarted(const std::string& id, std::string* error);
  bool renderReady(const std::string& id, int64_t videoBytes, std::string* error);
  std::optional<RecordingRow> get(const std::string& id, std::string* error);
  std::optional<std::vector<RecordingRow>> listByRoom(const std::string& room, int limit,
                                                      std::string* error);
  // The room's recording in progress, if any.
  std::optional<RecordingRow> activeInRoom(const std::string& room, std::string* error);
  // Rows in these states (a restart re-queues queued and rendering ones).
  std::optional<std::vector<RecordingRow>> inState(const std::string& state, std::string* error);
  // Stopped more than `days` days ago.
  std::optional<std::vector<RecordingRow>> olderThan(int days, std::string* error);
  bool remove(const std::string& id, std::string* error);
  // Rows of the room still 'recording' other than `keep`: failed, with `why`, stopped now.
  bool abandonCaptures(const std::string& room, const std::string& keep, const std::string& why,
                       std::string* error);
  // The same for one row, if it is still 'recording'.
  // *closed: whether the row was still a running capture (and is failed now).
  bool abandonCapture(const std::string& id, const std::string& why, std::string* error,
                      bool* closed = nullptr);

 private:
  std::optional<std::vector<RecordingRow>> select(const std::string& where,
                                                  const std::vector<MySqlConnection::Value>& p,
                                                  std::string* error);
  MySqlConnection& db_;
};

}  // namespace carrel::control
