// Reads what a carrel-peer printed (--json): one JSON object per stdout line.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "Process.hpp"

namespace carrel::test {

struct RemoteTrack {
  std::string participant;
  std::string track;
  std::string kind;
  std::string source;
  std::string mid;
  int64_t packets = 0;
  int64_t frames = 0;
  int64_t firstFrameMs = -1;  // since the peer started
  bool ended = false;
};

struct PeerView {
  std::string participant;               // own id, from welcome
  int64_t joinedMs = -1;                 // since the peer started, when it saw "joined"
  std::vector<RemoteTrack> tracks;       // from the latest stats line
  std::vector<std::string> endedTracks;  // "participant/track" from track_ended lines
  std::vector<std::string> errors;
  int64_t statsTimeMs = -1;

  // Tracks of one remote participant and kind (latest stats).
  const RemoteTrack* find(const std::string& participant, const std::string& kind) const;
  // The entry of one track id ("screen0"); the latest if the track came more than once.
  const RemoteTrack* findTrack(const std::string& participant, const std::string& track) const;
};

// Parses everything the peer printed so far.
PeerView readPeer(Process& p);

}  // namespace carrel::test
