// The SFU's periodic stats of one room for one control node (bus event "stats.room"): what
// each peer sends to the SFU ("in", its publish connection) and what the SFU forwards to it
// ("out", its subscribe connection), per track, from webrtcbin's get-stats. The envelope's
// top-level fields are declared in BusProtocol; the nested entries are declared here and
// checked by validateStatsRoom(), which decode() runs for this event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "FieldTable.hpp"
#include "GPtr.hpp"

namespace carrel::bus {

inline constexpr int64_t kMaxStatsPeers = 1000;
inline constexpr int64_t kMaxStatsTracksPerPeer = 512;

struct TrackStats {
  std::string direction;  // "in": the peer publishes it; "out": the SFU forwards it to the peer
  std::string track;      // the publisher's track id ("video0")
  std::string kind;       // "audio" | "video"
  std::string source;     // the publishing peer (the peer itself for "in")
  int64_t packets = 0;    // cumulative on this leg
  int64_t bytes = 0;
  int64_t lost = 0;         // "in": lost before the SFU; "out": lost as the subscriber reports it
  int64_t bitrateBps = 0;   // over the last interval
  int64_t packetsPerS = 0;  // over the last interval
  int64_t jitterUs = -1;    // -1: not known yet
  int64_t rttUs = -1;       // "out" only, from the subscriber's receiver reports; -1: unknown
};

struct PeerStats {
  std::string peer;
  std::vector<TrackStats> tracks;
};

struct RoomStats {
  std::string room;
  int64_t intervalMs = 0;
  std::vector<PeerStats> peers;
};

JsonObjectPtr toJson(const RoomStats& r);
// The data of a decoded "stats.room" event (already validated) back into structs.
RoomStats roomStatsFromJson(JsonObject* data);
// Checks every nested peer and track entry against its field table.
std::optional<FieldError> validateStatsRoom(JsonObject* data);

}  // namespace carrel::bus
