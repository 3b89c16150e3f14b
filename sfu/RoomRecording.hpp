// One room's recording session on this SFU node: a folder <recordings-dir>/<recording id>/
// with manifest.jsonl (recorder/SessionManifest.hpp) and tracks/<peer>-<track>.rtp, one per
// published track (TrackRecorder). Tracks published while it runs join it; participants'
// joins and leaves, and the events control sends (chat, timer phases, board), go into the
// manifest stamped with this node's wall clock, the same clock as the tracks' packets.
// Main context only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "GPtr.hpp"
#include "ManifestWriter.hpp"
#include "TrackForwarder.hpp"
#include "TrackRecorder.hpp"

namespace carrel::sfu {

class RoomRecording {
 public:
  struct Summary {
    std::string recording;
    std::string folder;
    int64_t durationMs = 0;
    uint64_t bytes = 0;
    int64_t tracks = 0;
  };

  // A recording id names a folder: 1..64 of A-Z a-z 0-9 _ -.
  static bool isValidId(const std::string& id);
  // mic for audio, screen for the tracks the SFU names screen0, screen1… (docs/protocol.md:
  // the publish offer marks a screen share's m-line), camera for other video.
  static const char* kindOf(const std::string& trackId, const std::string& media);

  // Creates the folder (it must not exist) and writes session_start.
  static std::unique_ptr<RoomRecording> start(const std::string& recordingsDir,
                                              const std::string& recording, const std::string& room,
                                              const std::string& owner, std::string* error);
  ~RoomRecording();
  RoomRecording(const RoomRecording&) = delete;
  RoomRecording& operator=(const RoomRecording&) = delete;

  const std::string& id() const { return id_; }
  const std::string& folder() const { return folder_; }
  // The control node that started it: told when it stops.
  const std::string& owner() const { return owner_; }

  void addTrack(GstElement* pipeline, const std::string& participant, const std::string& name,
                const std::shared_ptr<TrackForwarder>& track);
  void participantJoined(const std::string& participant, const std::string& name);
  // A track that ended while its publisher stays (a screen share stopped by a re-offer).
  void trackEnded(const std::string& participant, const std::string& trackId);
  // Stops the participant's tracks and notes the leave.
  void participantLeft(const std::string& participant, const std::string& reason);
  // An event from control (chat, timer, board…): data is copied into the manifest.
  void event(const std::string& name, JsonObject* data);
  // Stops every track and writes session_stop. Idempotent (later calls return the same).
  Summary stop();

 private:
  RoomRecording() = default;
  void stopTrack(const std::string& key);

  std::string id_;
  std::string room_;
  std::string folder_;
  std::string owner_;
  int64_t startUs_ = 0;
  bool stopped_ = false;
  Summary summary_;
  uint64_t closedBytes_ = 0;
  int64_t trackCount_ = 0;
  recorder::ManifestWriter manifest_;
  std::map<std::string, std::unique_ptr<TrackRecorder>> tracks_;  // "<peer>-<track>"
  std::map<std::string, std::string> fileOf_;
  TimeoutSource flushTimer_;
};

}  // namespace carrel::sfu
