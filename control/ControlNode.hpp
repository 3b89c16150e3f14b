// One carrel-control node: its Redis connections and bus node, the shared room directory, SFU
// placement, the HTTP/WebSocket server and the client sessions connected to it. Keeps no room
// state of its own beyond its sessions: everything shared lives in Redis.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "Bus.hpp"
#include "ClientSession.hpp"
#include "ControlOptions.hpp"
#include "DbWorker.hpp"
#include "HttpServer.hpp"
#include "MessageHandlers.hpp"
#include "MetricsRoute.hpp"
#include "Moderation.hpp"
#include "NodeRoster.hpp"
#include "ReconnectGrace.hpp"
#include "RedisConnection.hpp"
#include "RoomDirectory.hpp"
#include "SfuPlacement.hpp"
#include "StaticFiles.hpp"
#include "StatsStore.hpp"
#include "UserPresence.hpp"

namespace carrel::control {

class RecordingService;

class ControlNode {
 public:
  explicit ControlNode(ControlOptions options);
  ~ControlNode();
  ControlNode(const ControlNode&) = delete;
  ControlNode& operator=(const ControlNode&) = delete;

  // Listens and connects to Redis; onReady runs once both are up (the caller prints the line).
  bool start(std::string* error, std::function<void()> onReady);
  // Leaves every room (telling the SFU), closes every socket, then runs done (at most ~3 s).
  void shutdown(std::function<void()> done);

  const ControlOptions& options() const { return options_; }
  const std::string& nodeId() const { return options_.nodeId; }
  int port() const { return http_ ? http_->port() : 0; }
  std::string url() const;

  // MariaDB for chat history and study materials; null: chat is live-only. Set before start().
  void setChatDatabase(DbWorker* db) { chatDb_ = db; }
  DbWorker* chatDatabase() const { return chatDb_; }
  // MariaDB for moderation (roles, bans, audit log); null: nobody moderates. Before start().
  void setModerationDatabase(DbWorker* db) { moderationDb_ = db; }
  Moderation& moderation() { return *moderation_; }

  Bus& bus() { return *bus_; }
  HttpServer* http() { return http_.get(); }
  RoomDirectory& rooms() { return *rooms_; }
  SfuPlacement& placement() { return *placement_; }
  NodeRoster& roster() { return *roster_; }
  UserPresence& presence() { return *presence_; }
  std::shared_ptr<ClientSession> sessionFor(const std::string& participant) const;
  // The accounts database (null without one); must outlive the node.
  void attachDatabase(DbWorker* db) { db_ = db; }
  // Recording (issue 8), when a database and a recordings folder are configured.
  void attachRecordings(RecordingService* r) { recordings_ = r; }
  RecordingService* recordings() const { return recordings_; }
  DbWorker* database() const { return db_; }
  RedisConnection& redis() { return *redis_; }

  // Features outside MessageHandlers (study time, timers, ...) plug in here: a handler for a
  // client message type declared in ClientMessages, and a listener of every final leave.
  using ExternalHandler =
      std::function<void(const std::shared_ptr<ClientSession>&, const ClientMessage&)>;
  void handle(const std::string& type, ExternalHandler h) { external_[type] = std::move(h); }
  const ExternalHandler* externalHandler(const std::string& type) const {
    auto it = external_.find(type);
    return it == external_.end() ? nullptr : &it->second;
  }
  using LeaveListener = std::function<void(const std::shared_ptr<ClientSession>&,
                                           const std::string& room, const char* reason)>;
  void onLeave(LeaveListener l) { leaveListeners_.push_back(std::move(l)); }
  // ... and of every entry into a room (after "joined" went out).
  using EnterListener = std::function<void(const std::shared_ptr<ClientSession>&)>;
  void onEnter(EnterListener l) { enterListeners_.push_back(std::move(l)); }
  // ... and of a participant's media: a track published or ended (the SFU's events), the
  // owner muting or unmuting a kind of its own, or a moderator's enforced mute of a kind
  // being set or lifted (track "" for the last two).
  enum class MediaEvent { Published, Ended, Muted, Unmuted, ForceMuted, ForceUnmuted };
  using MediaListener = std::function<void(const std::shared_ptr<ClientSession>&, MediaEvent,
                                           const std::string& track, const std::string& kind)>;
  void onMedia(MediaListener l) { mediaListeners_.push_back(std::move(l)); }
  void mediaChanged(const std::shared_ptr<ClientSession>& s, MediaEvent e, const std::string& track,
                    const std::string& kind) {
    for (const auto& l : mediaListeners_) l(s, e, track, kind);
  }

  // Leaves the session's room: tells the SFU, removes the entry, announces participant_left.
  // With tellClient the client also gets "left" (ref echoes its leave's id).
  // done runs when the SFU and Redis have both answered (or failed).
  void leaveRoom(const std::shared_ptr<ClientSession>& s, const char* reason, bool tellClient,
                 const std::string& ref = "", std::function<void()> done = {});
  // The session has just entered its room ("joined" sent): seat it in the node roster and
  // the user's presence. leaveRoom undoes both.
  void enteredRoom(const std::shared_ptr<ClientSession>& s);
  // hello with a resume token: the held session of that token, now on fresh's WebSocket
  // (fresh is dropped); null when no session is held for it here.
  std::shared_ptr<ClientSession> resume(const std::shared_ptr<ClientSession>& fresh,
                                        const std::string& token);
  // After a resume: the old SFU peer goes, a new one comes for the client to publish and
  // subscribe again; then "resumed" with the room's participants (ref echoes hello's id).
  void resumeMedia(const std::shared_ptr<ClientSession>& s, const std::string& ref);
  // Fire-and-forget removal of a peer the SFU may hold (logs a failure).
  void removePeer(const std::string& sfuNode, const std::string& room,
                  const std::string& participant, std::function<void()> done = {});

 private:
  void onWebSocket(SoupServerMessage* msg, SoupWebsocketConnection* conn);
  void onWsMessage(SoupWebsocketConnection* conn, gint type, GBytes* message);
  void onWsError(SoupWebsocketConnection* conn, GError* error);
  void onWsClosed(SoupWebsocketConnection* conn);
  void onHealthz(SoupServerMessage* msg);
  void onRoomEvent(const std::string& room, const std::string& exclude, JsonObject* msg);
  void onBusEvent(const bus::Event& ev);
  void onTrackEvent(const std::shared_ptr<ClientSession>& s, const bus::Event& ev, bool published);
  void onReplaced(const std::string& participant, const std::string& by);
  void onSweep(const Seat& seat);
  void onGraceExpired(const std::shared_ptr<ClientSession>& s);
  void maybeReady();
  std::shared_ptr<ClientSession> find(SoupWebsocketConnection* conn) const;
  void forget(SoupWebsocketConnection* conn);

  ControlOptions options_;
  DbWorker* chatDb_ = nullptr;
  DbWorker* moderationDb_ = nullptr;
  // Declared first so they go last: callbacks they run while closing find the rest gone and
  // return (every user of them guards its callbacks with a liveness token).
  std::unique_ptr<RedisConnection> redis_;
  std::unique_ptr<RedisConnection> sub_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<RoomDirectory> rooms_;
  std::unique_ptr<SfuPlacement> placement_;
  std::unique_ptr<NodeRoster> roster_;
  std::unique_ptr<UserPresence> presence_;
  std::unique_ptr<StatsStore> stats_;
  std::unique_ptr<MetricsRoute> metrics_;
  std::unique_ptr<ReconnectGrace> grace_;
  std::unique_ptr<StaticFiles> files_;
  std::unique_ptr<MessageHandlers> handlers_;
  std::unique_ptr<Moderation> moderation_;
  std::map<SoupWebsocketConnection*, std::shared_ptr<ClientSession>> sessions_;
  std::map<std::string, std::weak_ptr<ClientSession>> byParticipant_;
  std::map<std::string, ExternalHandler> external_;
  std::vector<LeaveListener> leaveListeners_;
  std::vector<EnterListener> enterListeners_;
  std::vector<MediaListener> mediaListeners_;
  std::unique_ptr<HttpServer> http_;
  std::function<void()> onReady_;
  DbWorker* db_ = nullptr;
  RecordingService* recordings_ = nullptr;
  bool ready_ = false;
  bool shuttingDown_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace carrel::control
