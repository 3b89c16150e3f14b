#include "ClientSession.hpp"

#include <algorithm>

namespace carrel::control {

ClientSession::ClientSession(SoupWebsocketConnection* conn, std::string participant,
                             std::string peerAddress)
    : conn_(GObjectPtr<SoupWebsocketConnection>(
          static_cast<SoupWebsocketConnection*>(g_object_ref(conn)))),
      participant_(std::move(participant)),
      peerAddress_(std::move(peerAddress)),
      tracks_(json_array_new()) {}

ClientSession::~ClientSession() = default;

void ClientSession::send(const std::string& text) {
  if (closed_ || !conn_) return;
  if (soup_websocket_connection_get_state(conn_.get()) != SOUP_WEBSOCKET_STATE_OPEN) return;
  soup_websocket_connection_send_text(conn_.get(), text.c_str());
}

void ClientSession::sendError(const char* code, const std::string& message,
                              const std::string& ref) {
  json::Object o;
  o.set("type", "error").set("code", code).set("message", message);
  if (!ref.empty()) o.set("ref", ref);
  send(o);
}

void ClientSession::close(gushort code, const char* reason) {
  closedByServer_ = true;
  if (!conn_) return;
  if (soup_websocket_connection_get_state(conn_.get()) != SOUP_WEBSOCKET_STATE_OPEN) return;
  soup_websocket_connection_close(conn_.get(), code, reason);
}

void ClientSession::rebind(SoupWebsocketConnection* conn) {
  conn_.reset(static_cast<SoupWebsocketConnection*>(g_object_ref(conn)));
  closed_ = false;
  closedAtMs_ = 0;
  closedByServer_ = false;
}

void ClientSession::enterRoom(const std::vector<std::string>& alreadyKnown) {
  roomState_ = RoomState::InRoom;
  std::vector<std::string> queued = std::move(pendingEvents_);
  pendingEvents_.clear();
  for (const auto& text : queued) {
    JsonObjectPtr o = json::parseObject(text, nullptr);
    if (!o) continue;
    if (json::getString(o.get(), "type").value_or("") == "participant_joined") {
      std::string who = json::getString(o.get(), "participant").value_or("");
      if (std::find(alreadyKnown.begin(), alreadyKnown.end(), who) != alreadyKnown.end()) {
        continue;
      }
    }
    send(text);
  }
}

void ClientSession::clearRoom() {
  roomState_ = RoomState::None;
  room_.clear();
  sfuNode_.clear();
  pendingEvents_.clear();
  tracks_.reset(json_array_new());
}

void ClientSession::deliverRoomEvent(const std::string& text) {
  if (roomState_ == RoomState::Joining) {
    pendingEvents_.push_back(text);
  } else if (roomState_ == RoomState::InRoom) {
    send(text);
  }
}

bool ClientSession::addTrack(const std::string& track, const std::string& kind,
                             const std::string& source) {
  guint n = json_array_get_length(tracks_.get());
  for (guint i = 0; i < n; ++i) {
    JsonObject* t = json_array_get_object_element(tracks_.get(), i);
    if (t && json::getString(t, "track").value_or("") == track) return false;
  }
  json::Object t;
  t.set("track", track).set("kind", kind);
  if (!source.empty()) t.set("source", source);
  json_array_add_object_element(tracks_.get(), t.take().release());
  return true;
}

bool ClientSession::removeTrack(const std::string& track) {
  guint n = json_array_get_length(tracks_.get());
  for (guint i = 0; i < n; ++i) {
    JsonObject* t = json_array_get_object_element(tracks_.get(), i);
    if (t && json::getString(t, "track").value_or("") == track) {
      json_array_remove_element(tracks_.get(), i);
      return true;
    }
  }
  return false;
}

}  // namespace carrel::control
