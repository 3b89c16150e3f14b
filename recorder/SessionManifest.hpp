// A session folder's manifest.jsonl, read back: the session's start and stop, each captured
// track (file, owner, kind, start/stop) and the room's events, all on the SFU's wall clock in
// microseconds. Lines the reader cannot use (a partial last line after a crash, unknown
// types) are skipped; a track file outside the folder's tracks/ is refused.
//
//   {"type":"session_start","t_us":…,"recording":"…","room":"…","version":1}
//   {"type":"track_start","t_us":…,"file":"tracks/p1-video0.rtp","participant":"p1",
//    "name":"Ana","track":"video0","media":"video","kind":"camera"}
//   {"type":"track_stop","t_us":…,"file":"tracks/p1-video0.rtp","packets":…,"bytes":…}
//   {"type":"event","t_us":…,"event":"join"|"leave"|"chat"|…,"data":{…}}
//   {"type":"session_stop","t_us":…}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "GPtr.hpp"

namespace carrel::recorder {

struct ManifestTrack {
  std::string file;  // relative to the session folder
  std::string participant;
  std::string name;
  std::string track;
  std::string media;  // video | audio
  std::string kind;   // camera | screen | mic
  int64_t startUs = 0;
  int64_t stopUs = 0;  // 0: never stopped (the SFU died)
};

struct ManifestEvent {
  int64_t tUs = 0;
  std::string event;
  JsonObjectPtr data;
};

class SessionManifest {
 public:
  static constexpr const char* kFileName = "manifest.jsonl";

  // Reads folder/manifest.jsonl. False and why when there is no usable session start.
  bool load(const std::string& folder, std::string* error);

  const std::string& folder() const { return folder_; }
  const std::string& recording() const { return recording_; }
  const std::string& room() const { return room_; }
  int64_t startUs() const { return startUs_; }
  int64_t stopUs() const { return stopUs_; }  // 0: not stopped cleanly
  const std::vector<ManifestTrack>& tracks() const { return tracks_; }
  const std::vector<ManifestEvent>& events() const { return events_; }
  size_t skippedLines() const { return skipped_; }

  // "tracks/<name>" with a plain file name: nothing a manifest says can point elsewhere.
  static bool isSafeTrackPath(const std::string& file);

 private:
  void take(JsonObject* line);

  std::string folder_;
  std::string recording_;
  std::string room_;
  int64_t startUs_ = 0;
  int64_t stopUs_ = 0;
  std::vector<ManifestTrack> tracks_;
  std::vector<ManifestEvent> events_;
  size_t skipped_ = 0;
};

}  // namespace carrel::recorder
