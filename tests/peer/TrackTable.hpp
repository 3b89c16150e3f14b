// What this peer receives, track by track. The subscribe offers say which m-line (mid)
// carries whose track; streaming threads count packets and frames by mid. A mid can carry
// several tracks over time (the SFU may reuse an inactive m-line), so each assignment is
// its own entry and the counters always go to the mid's current one.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "GPtr.hpp"

namespace carrel::peer {

struct TrackInfo {
  std::string mid;
  std::string participant;
  std::string track;
  std::string kind;         // "video" or "audio"
  std::string source = {};  // "camera", "microphone", "screen" ("" from an older server)
};

// Times are ms since the peer started (the clock of every report line's t_ms), so a reader
// subtracts appeared_ms or the joined line's t_ms for the delay it cares about.
struct TrackSnapshot {
  TrackInfo info;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t frames = 0;  // decoded video frames or audio buffers
  int64_t appearedMs = 0;
  std::optional<int64_t> firstPacketMs;
  std::optional<int64_t> firstFrameMs;
  std::optional<int64_t> firstFrameSinceJoinMs;
  bool ended = false;
};

class TrackTable {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TrackTable(Clock::time_point start) : start_(start) {}

  void setJoined(Clock::time_point t);

  // A subscribe offer: its track list and the mids whose m-line is inactive. Tracks no
  // longer offered, on inactive m-lines, or whose mid now carries another track end.
  // Returns the entries that ended because of it.
  std::vector<TrackSnapshot> applyOffer(const std::vector<TrackInfo>& tracks,
                                        const std::set<std::string>& inactiveMids,
                                        Clock::time_point now);
  std::vector<TrackSnapshot> endParticipant(const std::string& participant);
  std::vector<TrackSnapshot> endTrack(const std::string& participant, const std::string& track);

  // Streaming threads. onPacket returns the entry when this was its first packet.
  std::optional<TrackSnapshot> onPacket(const std::string& mid, uint64_t bytes,
                                        Clock::time_point now);
  // Returns the entry when this was its first decoded frame.
  std::optional<TrackSnapshot> onFrame(const std::string& mid, Clock::time_point now);

  std::optional<TrackInfo> current(const std::string& mid) const;
  std::vector<TrackSnapshot> snapshot() const;
  uint64_t unattributedPackets() const;

  static JsonObjectPtr toJson(const TrackSnapshot& s);
  static JsonArrayPtr toJson(const std::vector<TrackSnapshot>& all);

 private:
  struct Entry {
    TrackInfo info;
    Clock::time_point appeared;
    uint64_t packets = 0, bytes = 0, frames = 0;
    std::optional<Clock::time_point> firstPacket, firstFrame;
    bool ended = false;
  };
  TrackSnapshot snap(const Entry& e) const;
  std::vector<TrackSnapshot> endWhere(bool (*match)(const Entry&, const std::string&,
                                                    const std::string&),
                                      const std::string& a, const std::string& b);
  int64_t ms(Clock::time_point from, Clock::time_point to) const;

  const Clock::time_point start_;
  std::optional<Clock::time_point> joined_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;             // every track ever seen, in order of appearance
  std::map<std::string, size_t> current_;  // mid -> index of its live entry
  uint64_t unattributed_ = 0;
};

}  // namespace carrel::peer
