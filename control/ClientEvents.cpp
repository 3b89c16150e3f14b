#include "ClientEvents.hpp"

#include "Json.hpp"

namespace carrel::control {

std::string ClientEvents::candidate(JsonObject* d) {
  json::Object c;
  c.set("type", "candidate")
      .set("conn", json::getString(d, "conn").value_or(""))
      .set("candidate", json::getString(d, "candidate").value_or(""))
      .set("sdp_mline_index", json::getInt(d, "sdp_mline_index").value_or(0));
  return c.str();
}

std::string ClientEvents::subscribeOffer(JsonObject* d) {
  JsonArrayPtr tracks(json_array_new());
  JsonArray* in = json::getArray(d, "tracks");
  for (guint i = 0; in && i < json_array_get_length(in); ++i) {
    JsonNode* n = json_array_get_element(in, i);
    if (!n || !JSON_NODE_HOLDS_OBJECT(n)) continue;  // the bus checks the array, not its items
    JsonObject* t = json_node_get_object(n);
    json::Object out;
    out.set("mid", json::getString(t, "mid").value_or(""))
        .set("participant", json::getString(t, "peer").value_or(""))
        .set("track", json::getString(t, "track").value_or(""))
        .set("kind", json::getString(t, "kind").value_or(""))
        .set("source", json::getString(t, "source").value_or(""));
    json_array_add_object_element(tracks.get(), out.take().release());
  }
  json::Object o;
  o.set("type", "subscribe_offer")
      .set("sdp", json::getString(d, "sdp").value_or(""))
      .set("tracks", tracks.get());
  return o.str();
}

std::string ClientEvents::connectionState(JsonObject* d) {
  json::Object o;
  o.set("type", "connection_state")
      .set("conn", json::getString(d, "conn").value_or(""))
      .set("state", json::getString(d, "state").value_or(""));
  return o.str();
}

std::string ClientEvents::trackSource(JsonObject* d) {
  std::string source = json::getString(d, "source").value_or("");
  if (!source.empty()) return source;
  return json::getString(d, "kind").value_or("") == "audio" ? "microphone" : "camera";
}

std::string ClientEvents::track(JsonObject* d, const std::string& participant, bool published) {
  json::Object o;
  o.set("type", published ? "track_published" : "track_ended")
      .set("participant", participant)
      .set("track", json::getString(d, "track").value_or(""))
      .set("kind", json::getString(d, "kind").value_or(""))
      .set("source", trackSource(d));
  return o.str();
}

}  // namespace carrel::control
