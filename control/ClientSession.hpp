// One client WebSocket: who it is (participant id, name), where it is (room, SFU node), and
// how to talk to it. Owned by the ControlNode; asynchronous work holds it by weak_ptr, so a
// client that disconnects mid-operation is noticed (closed()) rather than touched after free.
#pragma once

#include <libsoup/soup.h>

#include <string>
#include <vector>

#include "GPtr.hpp"
#include "Json.hpp"
#include "WsAuthGate.hpp"

namespace carrel::control {

enum class RoomState { None, Joining, InRoom };

class ClientSession {
 public:
  ClientSession(SoupWebsocketConnection* conn, std::string participant, std::string peerAddress);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  SoupWebsocketConnection* connection() const { return conn_.get(); }
  const std::string& participant() const { return participant_; }
  const std::string& peerAddress() const { return peerAddress_; }

  // The account behind the connection (set at the upgrade); userId 0 is a guest.
  void setIdentity(SessionIdentity who) { identity_ = std::move(who); }
  const SessionIdentity& identity() const { return identity_; }
  int64_t userId() const { return identity_.userId; }
  bool isAdmin() const { return identity_.admin; }
  // The account's display name ("" for a guest, whose name comes with hello).
  const std::string& displayName() const { return identity_.displayName; }

  bool helloDone() const { return helloDone_; }
  const std::string& name() const { return name_; }
  void setHello(std::string name) {
    name_ = std::move(name);
    helloDone_ = true;
  }

  RoomState roomState() const { return roomState_; }
  const std::string& room() const { return room_; }
  const std::string& sfuNode() const { return sfuNode_; }
  void startJoining(std::string room) {
    room_ = std::move(room);
    roomState_ = RoomState::Joining;
  }
  void setSfuNode(std::string node) { sfuNode_ = std::move(node); }
  // join's video mode, kept so that a resumed session's new SFU peer gets it again.
  const std::string& videoMode() const { return videoMode_; }
  void setVideoMode(std::string mode) { videoMode_ = std::move(mode); }
  // Becomes InRoom and sends what arrived for the room while joining, minus announcements of
  // participants the client already has from the "joined" list.
  void enterRoom(const std::vector<std::string>& alreadyKnown);
  void clearRoom();
  // Room broadcasts and SFU events: held while joining (so "joined" always comes first), sent
  // at once in the room, dropped when in no room.
  void deliverRoomEvent(const std::string& text);

  // The participant's published tracks, as stored in the room directory.
  JsonArray* tracks() const { return tracks_.get(); }
  bool addTrack(const std::string& track, const std::string& kind, const std::string& source = {});
  bool removeTrack(const std::string& track);

  // The secret a client shows in hello to come back as this participant (see welcome).
  const std::string& resumeToken() const { return resumeToken_; }
  void setResumeToken(std::string token) { resumeToken_ = std::move(token); }
  // A resumed session carries on over the client's new WebSocket.
  void rebind(SoupWebsocketConnection* conn);

  // The socket went away (or is going); pending work must undo instead of continue.
  bool closed() const { return closed_; }
  void markClosed() {
    if (!closed_) closedAtMs_ = g_get_real_time() / 1000;
    closed_ = true;
  }
  // When the socket went away (ms since the epoch; 0 while connected): a client that never
  // comes back stopped studying then, not when its grace ran out.
  int64_t closedAtMs() const { return closedAtMs_; }

  void send(const std::string& text);
  void send(const json::Object& msg) { send(msg.str()); }
  void sendError(const char* code, const std::string& message, const std::string& ref);
  // Close with a WebSocket status code (after the frames already queued).
  void close(gushort code, const char* reason);
  // The server closed this socket (refused input, replaced, shutdown): no reconnect grace.
  bool closedByServer() const { return closedByServer_; }

 private:
  GObjectPtr<SoupWebsocketConnection> conn_;
  std::string participant_;
  std::string peerAddress_;
  SessionIdentity identity_;
  std::string resumeToken_;
  bool helloDone_ = false;
  std::string name_;
  RoomState roomState_ = RoomState::None;
  std::string room_;
  std::string sfuNode_;
  std::string videoMode_;
  JsonArrayPtr tracks_;
  std::vector<std::string> pendingEvents_;
  bool closed_ = false;
  int64_t closedAtMs_ = 0;
  bool closedByServer_ = false;
};

}  // namespace carrel::control
