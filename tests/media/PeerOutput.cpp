#include "PeerOutput.hpp"

#include "Json.hpp"

namespace carrel::test {

const RemoteTrack* PeerView::find(const std::string& who, const std::string& kind) const {
  for (const auto& t : tracks) {
    if (t.participant == who && t.kind == kind) return &t;
  }
  return nullptr;
}

const RemoteTrack* PeerView::findTrack(const std::string& who, const std::string& track) const {
  const RemoteTrack* found = nullptr;
  for (const auto& t : tracks) {
    if (t.participant == who && t.track == track) found = &t;
  }
  return found;
}

PeerView readPeer(Process& p) {
  PeerView v;
  for (const std::string& line : p.lines()) {
    std::string err;
    auto o = json::parseObject(line, &err);
    if (!o) continue;
    std::string ev = json::getString(o.get(), "event").value_or("");
    if (ev == "welcome") {
      v.participant = json::getString(o.get(), "participant").value_or("");
    } else if (ev == "joined") {
      v.joinedMs = json::getInt(o.get(), "t_ms").value_or(-1);
    } else if (ev == "track_ended") {
      v.endedTracks.push_back(json::getString(o.get(), "participant").value_or("") + "/" +
                              json::getString(o.get(), "track").value_or(""));
    } else if (ev == "error") {
      v.errors.push_back(json::getString(o.get(), "code").value_or("?") + ": " +
                         json::getString(o.get(), "message").value_or(""));
    } else if (ev == "stats" || ev == "summary") {
      JsonArray* arr = json::getArray(o.get(), "tracks");
      if (!arr) continue;
      v.statsTimeMs = json::getInt(o.get(), "t_ms").value_or(-1);
      v.tracks.clear();
      for (guint i = 0; i < json_array_get_length(arr); ++i) {
        JsonNode* n = json_array_get_element(arr, i);
        if (!JSON_NODE_HOLDS_OBJECT(n)) continue;
        JsonObject* t = json_node_get_object(n);
        RemoteTrack r;
        r.participant = json::getString(t, "participant").value_or("");
        r.track = json::getString(t, "track").value_or("");
        r.kind = json::getString(t, "kind").value_or("");
        r.source = json::getString(t, "source").value_or("");
        r.mid = json::getString(t, "mid").value_or("");
        r.packets = json::getInt(t, "packets").value_or(0);
        r.frames = json::getInt(t, "frames").value_or(0);
        r.firstFrameMs = json::getInt(t, "first_frame_ms").value_or(-1);
        r.ended = json::getBool(t, "ended").value_or(false);
        v.tracks.push_back(r);
      }
    }
  }
  return v;
}

}  // namespace carrel::test
