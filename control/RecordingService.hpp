// Recording in the control plane (issue 8): start/stop on a client's request (permission in
// RecordingPermission), the room told ("recording" events, and each joiner right after
// "joined"), chat copied into the recording's manifest through the SFU, the catalog row in
// MariaDB (RecordingStore) filled when the SFU reports the capture stopped, then a render
// queued (RenderQueue) whose progress goes to the catalog and to the room. Retention deletes
// old recordings. Main context only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "Bus.hpp"
#include "ClientSession.hpp"
#include "DbWorker.hpp"
#include "RecordingPermission.hpp"
#include "RecordingStore.hpp"
#include "RenderQueue.hpp"

namespace carrel::control {

class ControlNode;

struct RecordingConfig {
  std::string recordingsDir;  // the SFUs' --recordings-dir (files are served only from there)
  std::string renderBinary;
  std::vector<std::string> renderArgs;  // e.g. --size 1280x720
  int renderJobs = 1;
  int retentionDays = 0;  // 0: keep forever
};

class RecordingService {
 public:
  using Session = std::shared_ptr<ClientSession>;

  RecordingService(ControlNode& node, DbWorker& db, RecordingConfig config);
  ~RecordingService();
  RecordingService(const RecordingService&) = delete;
  RecordingService& operator=(const RecordingService&) = delete;

  const RecordingConfig& config() const { return config_; }
  // Start-up: renders a crash left queued or running, and the first retention sweep.
  void resume();

  void start(const Session& s, const std::string& ref);
  void stop(const Session& s, const std::string& ref);
  // A room broadcast seen by this node: keeps which rooms record, and the node that started
  // a recording copies the room's chat (and timer/board events) into it through the SFU.
  void observeRoomEvent(const std::string& room, JsonObject* msg);
  // Moderation closed the room: its recording (if any) stops.
  void onRoomClosed(const std::string& room);
  // After "joined": tells the joiner whether the room records.
  void tellJoiner(const Session& s);
  void onBusEvent(const bus::Event& ev);

  // Queues a render again (after a failure). False if it is already queued or running.
  bool renderAgain(const std::string& id, const std::string& folder);
  // Removes the recording's files (only under recordingsDir) and its row; done(ok).
  void remove(const std::string& id, const std::string& folder, std::function<void(bool)> done);
  // The folder when it lies under recordingsDir; "" otherwise.
  std::string safeFolder(const std::string& folder) const;
  void sweepRetention();
  // Closes as failed the captures whose media node stopped renewing them (killed, or restarted
  // and recording nothing), and tells their rooms the recording ended.
  void sweepDeadCaptures();

  static std::string newRecordingId();

 private:
  RecordingActor actorOf(const Session& s) const;
  void announce(const std::string& room, bool active, const std::string& recording,
                int64_t startedAtMs);
  void closeDeadCapture(const RecordingRow& row);
  void renderEvent(const std::string& id, const char* state, double percent,
                   std::optional<double> etaS, const std::string& error);

  ControlNode& node_;
  DbWorker& db_;
  RecordingConfig config_;
  std::unique_ptr<RenderQueue> renders_;
  std::map<std::string, std::string> activeByRoom_;  // room -> recording (rooms seen here)
  std::map<std::string, std::string> roomOf_;        // recording -> room (for render events)
  std::map<std::string, std::string> startedHere_;   // room -> its SFU, recordings started here
  std::map<std::string, int64_t> lastProgressUs_;
  TimeoutSource retention_;
  TimeoutSource deadCaptures_;
  std::map<std::string, int64_t> seenDeadMs_;  // recording -> when first seen without its key
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
