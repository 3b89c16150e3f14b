#include "StatsReport.hpp"

#include <array>

#include "Json.hpp"

namespace carrel::bus {

namespace {

constexpr int64_t kMaxMicros = 60LL * 1000 * 1000;

constexpr std::array kPeerFields{
    Field{"peer", FieldType::String, true, 1, 64},
    Field{"tracks", FieldType::Array, true, 0, kMaxStatsTracksPerPeer},
};

constexpr std::array kTrackFields{
    Field{"direction", FieldType::String, true, 2, 3},
    Field{"track", FieldType::String, true, 1, 64},
    Field{"kind", FieldType::String, true, 1, 16},
    Field{"source", FieldType::String, true, 1, 64},
    Field{"packets", FieldType::Int, true, 0, 0},
    Field{"bytes", FieldType::Int, true, 0, 0},
    Field{"lost", FieldType::Int, true, 0, 0},
    Field{"bitrate_bps", FieldType::Int, true, 0, 100LL * 1000 * 1000 * 1000},
    Field{"packets_per_s", FieldType::Int, true, 0, 10LL * 1000 * 1000},
    Field{"jitter_us", FieldType::Int, false, -1, kMaxMicros},
    Field{"rtt_us", FieldType::Int, false, -1, kMaxMicros},
};

JsonObjectPtr trackJson(const TrackStats& t) {
  json::Object o;
  o.set("direction", t.direction)
      .set("track", t.track)
      .set("kind", t.kind)
      .set("source", t.source)
      .set("packets", t.packets)
      .set("bytes", t.bytes)
      .set("lost", t.lost)
      .set("bitrate_bps", t.bitrateBps)
      .set("packets_per_s", t.packetsPerS);
  if (t.jitterUs >= 0) o.set("jitter_us", t.jitterUs);
  if (t.rttUs >= 0) o.set("rtt_us", t.rttUs);
  return o.take();
}

}  // namespace

JsonObjectPtr toJson(const RoomStats& r) {
  JsonArrayPtr peers(json_array_new());
  for (const auto& p : r.peers) {
    JsonArrayPtr tracks(json_array_new());
    for (const auto& t : p.tracks)
      json_array_add_object_element(tracks.get(), trackJson(t).release());
    json::Object po;
    po.set("peer", p.peer).set("tracks", tracks.get());
    json_array_add_object_element(peers.get(), po.take().release());
  }
  json::Object o;
  o.set("room", r.room).set("interval_ms", r.intervalMs).set("peers", peers.get());
  return o.take();
}

RoomStats roomStatsFromJson(JsonObject* data) {
  RoomStats r;
  r.room = json::getString(data, "room").value_or("");
  r.intervalMs = json::getInt(data, "interval_ms").value_or(0);
  JsonArray* peers = json::getArray(data, "peers");
  for (guint i = 0; peers && i < json_array_get_length(peers); ++i) {
    JsonObject* po = json_array_get_object_element(peers, i);
    PeerStats p;
    p.peer = json::getString(po, "peer").value_or("");
    JsonArray* tracks = json::getArray(po, "tracks");
    for (guint j = 0; tracks && j < json_array_get_length(tracks); ++j) {
      JsonObject* to = json_array_get_object_element(tracks, j);
      TrackStats t;
      t.direction = json::getString(to, "direction").value_or("");
      t.track = json::getString(to, "track").value_or("");
      t.kind = json::getString(to, "kind").value_or("");
      t.source = json::getString(to, "source").value_or("");
      t.packets = json::getInt(to, "packets").value_or(0);
      t.bytes = json::getInt(to, "bytes").value_or(0);
      t.lost = json::getInt(to, "lost").value_or(0);
      t.bitrateBps = json::getInt(to, "bitrate_bps").value_or(0);
      t.packetsPerS = json::getInt(to, "packets_per_s").value_or(0);
      t.jitterUs = json::getInt(to, "jitter_us").value_or(-1);
      t.rttUs = json::getInt(to, "rtt_us").value_or(-1);
      p.tracks.push_back(std::move(t));
    }
    r.peers.push_back(std::move(p));
  }
  return r;
}

std::optional<FieldError> validateStatsRoom(JsonObject* data) {
  JsonArray* peers = json::getArray(data, "peers");
  for (guint i = 0; peers && i < json_array_get_length(peers); ++i) {
    std::string where = "peers[" + std::to_string(i) + "]";
    JsonNode* pn = json_array_get_element(peers, i);
    if (!JSON_NODE_HOLDS_OBJECT(pn)) return FieldError{where, where + " must be an object"};
    JsonObject* po = json_node_get_object(pn);
    if (auto e = validateFields(po, kPeerFields)) {
      return FieldError{where + "." + e->field, where + ": " + e->message};
    }
    JsonArray* tracks = json::getArray(po, "tracks");
    for (guint j = 0; j < json_array_get_length(tracks); ++j) {
      std::string at = where + ".tracks[" + std::to_string(j) + "]";
      JsonNode* tn = json_array_get_element(tracks, j);
      if (!JSON_NODE_HOLDS_OBJECT(tn)) return FieldError{at, at + " must be an object"};
      JsonObject* to = json_node_get_object(tn);
      if (auto e = validateFields(to, kTrackFields)) {
        return FieldError{at + "." + e->field, at + ": " + e->message};
      }
      std::string dir = *json::getString(to, "direction");
      std::string kind = *json::getString(to, "kind");
      if (dir != "in" && dir != "out") {
        return FieldError{at + ".direction", at + ": direction must be in or out"};
      }
      if (kind != "audio" && kind != "video") {
        return FieldError{at + ".kind", at + ": kind must be audio or video"};
      }
    }
  }
  return std::nullopt;
}

}  // namespace carrel::bus
