#include "ControlNode.hpp"

#include "RecordingService.hpp"

#include <map>

#include "ClientErrors.hpp"
#include "ClientEvents.hpp"

namespace carrel::control {

namespace {

// libsoup drops a frame over its own limit by closing the socket without a word; up to this
// size we read the frame ourselves and refuse it with a typed error and close code 1009.
constexpr guint64 kHardFrameLimit = 4 * 1024 * 1024;
constexpr guint kKeepaliveSeconds = 30;
constexpr guint kPresenceTtlSeconds = 30;
// The WebSocket close code of a connection another one of the same user replaced.
constexpr gushort kCloseReplaced = 4001;

struct MessageUnref {
  void operator()(SoupServerMessage* m) const { g_object_unref(m); }
};

void respondJson(SoupServerMessage* msg, guint status, const json::Object& body) {
  std::string text = body.str();
  soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
                               "no-cache");
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, text.data(),
                                   text.size());
}

}  // namespace

ControlNode::ControlNode(ControlOptions options) : options_(std::move(options)) {}

ControlNode::~ControlNode() {
  alive_.reset();
  for (auto& [conn, s] : sessions_) g_signal_handlers_disconnect_by_data(conn, this);
  http_.reset();
  sessions_.clear();
}

std::string ControlNode::url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/";
}

bool ControlNode::start(std::string* error, std::function<void()> onReady) {
  onReady_ = std::move(onReady);
  redis_ = std::make_unique<RedisConnection>(options_.redisHost, options_.redisPort, "control");
  sub_ = std::make_unique<RedisConnection>(options_.redisHost, options_.redisPort, "control-sub");
  bus_ = std::make_unique<Bus>(*redis_, *sub_, options_.nodeId);
  bus_->onEvent([this](const bus::Event& ev) { onBusEvent(ev); });
  rooms_ = std::make_unique<RoomDirectory>(
      *redis_, *sub_, [this](const std::string& room, const std::string& exclude, JsonObject* msg) {
        onRoomEvent(room, exclude, msg);
      });
  placement_ = std::make_unique<SfuPlacement>(*redis_);
  roster_ = std::make_unique<NodeRoster>(*redis_, nodeId(), NodeRoster::Timing{},
                                         [this](const Seat& seat) { onSweep(seat); });
  presence_ =
      std::make_unique<UserPresence>(*redis_, *sub_, nodeId(), kPresenceTtlSeconds,
                                     [this](const std::string& participant, const std::string& by) {
                                       onReplaced(participant, by);
                                     });
  files_ = std::make_unique<StaticFiles>(options_.webRoot);
  grace_ = std::make_unique<ReconnectGrace>(
      static_cast<guint>(options_.reconnectGraceMs),
      [this](const std::shared_ptr<ClientSession>& s) { onGraceExpired(s); });
  handlers_ = std::make_unique<MessageHandlers>(*this);
  moderation_ = std::make_unique<Moderation>(*this, moderationDb_);
  http_ = std::make_unique<HttpServer>(
      [this](SoupServerMessage* m) { onHealthz(m); },
      [this](SoupServerMessage* m) { files_->serve(m); },
      [this](SoupServerMessage* m, SoupWebsocketConnection* c) { onWebSocket(m, c); });
  if (!http_->listen(options_.host, options_.port, error)) return false;
  stats_ = std::make_unique<StatsStore>(*redis_, options_.nodeId);
  metrics_ = std::make_unique<MetricsRoute>(*stats_);
  metrics_->install(http_->soup());
  redis_->onConnected = [this] { maybeReady(); };
  sub_->onConnected = [this] { maybeReady(); };
  redis_->start();
  sub_->start();
  g_message("node %s listening on %s:%d, Redis at %s:%d", nodeId().c_str(), options_.host.c_str(),
            port(), options_.redisHost.c_str(), options_.redisPort);
  return true;
}

void ControlNode::maybeReady() {
  if (ready_ || !redis_->connected() || !sub_->connected()) return;
  ready_ = true;
  roster_->start();
  if (onReady_) onReady_();
}

std::shared_ptr<ClientSession> ControlNode::find(SoupWebsocketConnection* conn) const {
  auto it = sessions_.find(conn);
  return it == sessions_.end() ? nullptr : it->second;
}

std::shared_ptr<ClientSession> ControlNode::sessionFor(const std::string& participant) const {
  auto it = byParticipant_.find(participant);
  return it == byParticipant_.end() ? nullptr : it->second.lock();
}

void ControlNode::onWebSocket(SoupServerMessage* msg, SoupWebsocketConnection* conn) {
  if (shuttingDown_) {
    soup_websocket_connection_close(conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "shutting down");
    return;
  }
  soup_websocket_connection_set_max_incoming_payload_size(conn, kHardFrameLimit);
  // Pings keep idle sockets alive through proxies and let a dead peer's writes fail sooner.
  soup_websocket_connection_set_keepalive_interval(conn, kKeepaliveSeconds);
  const char* host = soup_server_message_get_remote_host(msg);
  std::string participant = bus::newId();
  participant.resize(16);
  participant.insert(participant.begin(), 'p');
  auto s = std::make_shared<ClientSession>(conn, participant, host ? host : "?");
  if (const SessionIdentity* who = WsAuthGate::identityOf(msg)) s->setIdentity(*who);
  sessions_[conn] = s;
  byParticipant_[participant] = s;
  g_signal_connect(conn, "message",
                   G_CALLBACK(+[](SoupWebsocketConnection* c, gint type, GBytes* m, gpointer self) {
                     static_cast<ControlNode*>(self)->onWsMessage(c, type, m);
                   }),
                   this);
  g_signal_connect(conn, "error",
                   G_CALLBACK(+[](SoupWebsocketConnection* c, GError* e, gpointer self) {
                     static_cast<ControlNode*>(self)->onWsError(c, e);
                   }),
                   this);
  g_signal_connect(conn, "closed", G_CALLBACK(+[](SoupWebsocketConnection* c, gpointer self) {
                     static_cast<ControlNode*>(self)->onWsClosed(c);
                   }),
                   this);
  g_info("%s connected from %s (user %" G_GINT64_FORMAT ")", participant.c_str(),
         s->peerAddress().c_str(), static_cast<gint64>(s->userId()));
}

void ControlNode::onWsMessage(SoupWebsocketConnection* conn, gint type, GBytes* message) {
  auto s = find(conn);
  if (!s || s->closed()) return;
  gsize size = 0;
  const char* data = static_cast<const char*>(g_bytes_get_data(message, &size));
  if (size > kMaxFrameBytes) {
    g_warning("%s sent a frame of %zu bytes: refused, closing", s->participant().c_str(), size);
    s->sendError(code::TooLarge, "a frame is at most 262144 bytes", "");
    s->close(SOUP_WEBSOCKET_CLOSE_TOO_BIG, "frame too large");
    return;
  }
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    s->sendError(code::BadJson, "binary frames are not accepted: send JSON in text frames", "");
    return;
  }
  handlers_->dispatch(s, std::string_view(data ? data : "", size));
}

void ControlNode::onWsError(SoupWebsocketConnection* conn, GError* error) {
  auto s = find(conn);
  if (!s) return;
  g_info("%s: websocket error: %s", s->participant().c_str(), error ? error->message : "?");
  if (!error || error->domain != SOUP_WEBSOCKET_ERROR) return;
  // libsoup closes the socket right after this signal; a typed error still fits in before.
  if (error->code == SOUP_WEBSOCKET_CLOSE_TOO_BIG) {
    s->sendError(code::TooLarge, "a frame is at most 262144 bytes", "");
    s->close(SOUP_WEBSOCKET_CLOSE_TOO_BIG, "frame too large");
  } else if (error->code == SOUP_WEBSOCKET_CLOSE_BAD_DATA) {
    s->sendError(code::BadJson, "the frame is not valid UTF-8", "");
  }
}

void ControlNode::forget(SoupWebsocketConnection* conn) {
  auto it = sessions_.find(conn);
  if (it == sessions_.end()) return;
  g_signal_handlers_disconnect_by_data(conn, this);
  byParticipant_.erase(it->second->participant());
  sessions_.erase(it);
}

void ControlNode::onWsClosed(SoupWebsocketConnection* conn) {
  auto s = find(conn);
  if (!s) return;
  s->markClosed();
  g_info("%s disconnected (code %d)", s->participant().c_str(),
         static_cast<int>(soup_websocket_connection_get_close_code(conn)));
  if (s->roomState() == RoomState::InRoom && grace_->enabled() && !shuttingDown_ &&
      !s->closedByServer()) {
    // Keep the place: the client may come back with its resume token (see resume()).
    g_message("%s ('%s') dropped in room %s: holding its place for %d ms", s->participant().c_str(),
              s->name().c_str(), s->room().c_str(), options_.reconnectGraceMs);
    grace_->hold(s);
    g_signal_handlers_disconnect_by_data(conn, this);
    sessions_.erase(conn);
    return;
  }
  if (s->roomState() == RoomState::InRoom) leaveRoom(s, "disconnected", false);
  if (s->userId()) presence_->release(s->userId(), s->participant());
  forget(conn);
}

void ControlNode::removePeer(const std::string& sfuNode, const std::string& room,
                             const std::string& participant, std::function<void()> done) {
  if (sfuNode.empty() || !bus_) {
    if (done) done();
    return;
  }
  bus_->request(
      sfuNode, bus::method::PeerRemove,
      [&] {
        json::Object d;
        d.set("room", room).set("peer", participant);
        return d.take();
      }(),
      [participant, room, sfuNode, done](const bus::Response& r) {
        if (!r.ok) {
          g_info("peer.remove %s in room %s on %s: %s: %s", participant.c_str(), room.c_str(),
                 sfuNode.c_str(), r.error.code.c_str(), r.error.message.c_str());
        }
        if (done) done();
      },
      static_cast<guint>(options_.sfuTimeoutMs));
}

void ControlNode::leaveRoom(const std::shared_ptr<ClientSession>& s, const char* reason,
                            bool tellClient, const std::string& ref, std::function<void()> done) {
  if (s->roomState() != RoomState::InRoom) {
    if (done) done();
    return;
  }
  std::string room = s->room();
  std::string sfu = s->sfuNode();
  s->clearRoom();
  roster_->unseated(s->participant());
  if (s->userId()) presence_->setRoom(s->userId(), s->participant(), "", 0);
  if (moderation_) moderation_->onLeft(s, room, reason);
  // Both the SFU and Redis must answer before done: count them down.
  auto remaining = std::make_shared<int>(2);
  auto step = [remaining, done] {
    if (--*remaining == 0 && done) done();
  };
  removePeer(sfu, room, s->participant(), step);
  json::Object left;
  left.set("type", "participant_left").set("participant", s->participant()).set("reason", reason);
  rooms_->leave(room, s->participant(), left.get(), [step](bool) { step(); });
  for (const auto& l : leaveListeners_) l(s, room, reason);
  if (tellClient) {
    json::Object l;
    l.set("type", "left").set("room", room);
    if (!ref.empty()) l.set("ref", ref);
    s->send(l);
  }
  g_message("%s ('%s') left room %s (%s)", s->participant().c_str(), s->name().c_str(),
            room.c_str(), reason);
}

void ControlNode::enteredRoom(const std::shared_ptr<ClientSession>& s) {
  int64_t now = g_get_real_time() / 1000;
  roster_->seated(
      Seat{s->participant(), s->room(), s->sfuNode(), now, s->name(), s->userId(), nodeId()});
  if (s->userId()) presence_->setRoom(s->userId(), s->participant(), s->room(), now);
  for (const auto& l : enterListeners_) l(s);
  if (recordings_) recordings_->tellJoiner(s);
}

void ControlNode::onGraceExpired(const std::shared_ptr<ClientSession>& s) {
  g_message("%s ('%s') did not come back in time", s->participant().c_str(), s->name().c_str());
  leaveRoom(s, "disconnected", false);
  if (s->userId()) presence_->release(s->userId(), s->participant());
  byParticipant_.erase(s->participant());
}

std::shared_ptr<ClientSession> ControlNode::resume(const std::shared_ptr<ClientSession>& fresh,
                                                   const std::string& token) {
  auto old = grace_->take(token, fresh->userId());
  if (!old) return nullptr;
  SoupWebsocketConnection* conn = fresh->connection();
  byParticipant_.erase(fresh->participant());
  fresh->markClosed();
  old->rebind(conn);
  sessions_[conn] = old;
  byParticipant_[old->participant()] = old;
  g_message("%s ('%s') is back in room %s", old->participant().c_str(), old->name().c_str(),
            old->room().c_str());
  return old;
}

void ControlNode::resumeMedia(const std::shared_ptr<ClientSession>& s, const std::string& ref) {
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  std::string sfu = s->sfuNode();
  std::string participant = s->participant();
  // The old peer's media died with the client's connection (or will be replaced anyway):
  // the SFU ends its tracks (the others see track_ended) and the client publishes again.
  removePeer(sfu, room, participant, [this, weak, room, sfu, participant, ref] {
    auto s = weak.lock();
    if (!s || s->closed() || s->room() != room) return;
    // Who is there first, then the new SFU peer: `resumed` goes out in peer.add's response,
    // which the SFU sends before the new peer's first subscribe_offer event (a client
    // starts its connections over on `resumed` and must not drop that offer).
    rooms_->list(room, [this, weak, room, sfu, participant,
                        ref](std::optional<std::vector<ParticipantEntry>> all) {
      auto s = weak.lock();
      if (!s || s->closed() || s->room() != room) return;
      JsonArrayPtr list(json_array_new());
      if (!all) all.emplace();
      for (auto& e : *all) {
        if (e.participant == participant) continue;
        json::Object p;
        p.set("participant", e.participant).set("name", e.name).set("tracks", e.tracks.get());
        json_array_add_object_element(list.get(), p.take().release());
      }
      auto others = std::make_shared<JsonArrayPtr>(std::move(list));
      json::Object d;
      d.set("room", room).set("peer", participant).set("name", s->name());
      if (!s->videoMode().empty()) d.set("video", s->videoMode());
      bus_->request(
          sfu, bus::method::PeerAdd, d.take(),
          [this, weak, room, participant, ref, others](const bus::Response& r) {
            auto s = weak.lock();
            if (!s || s->closed() || s->room() != room) return;
            if (!r.ok) {
              s->sendError(clientCodeForBusError(r.error.code),
                           clientMessageForBusError(r.error.code, r.error.message), ref);
              leaveRoom(s, "disconnected", true);
              return;
            }
            if (s->userId()) {
              presence_->setRoom(s->userId(), participant, room, g_get_real_time() / 1000);
            }
            json::Object m;
            m.set("type", "resumed").set("room", room).set("participants", others->get());
            if (!ref.empty()) m.set("ref", ref);
            s->send(m);
          },
          static_cast<guint>(options_.sfuTimeoutMs));
    });
  });
}

void ControlNode::onReplaced(const std::string& participant, const std::string& by) {
  if (auto held = grace_->drop(participant)) {
    g_message("%s ('%s'), held for a reconnect, is replaced by %s", participant.c_str(),
              held->name().c_str(), by.c_str());
    leaveRoom(held, "replaced", false);
    byParticipant_.erase(participant);
    return;
  }
  auto s = sessionFor(participant);
  if (!s || s->closed()) return;
  g_message("%s ('%s') is replaced by %s, a newer connection of user %" G_GINT64_FORMAT,
            participant.c_str(), s->name().c_str(), by.c_str(), static_cast<gint64>(s->userId()));
  json::Object m;
  m.set("type", "session_replaced")
      .set("reason", "this account connected again elsewhere; this connection is closed");
  s->send(m);
  leaveRoom(s, "replaced", false);
  s->close(kCloseReplaced, "session replaced");
}

// A seat of a dead control node: the same leave its node would have made.
void ControlNode::onSweep(const Seat& seat) {
  g_message("sweeping %s ('%s') of dead node %s out of room %s", seat.participant.c_str(),
            seat.name.c_str(), seat.node.c_str(), seat.room.c_str());
  json::Object left;
  left.set("type", "participant_left")
      .set("participant", seat.participant)
      .set("reason", "disconnected");
  rooms_->leave(seat.room, seat.participant, left.get());
  removePeer(seat.sfu, seat.room, seat.participant);
}

void ControlNode::onRoomEvent(const std::string& room, const std::string& exclude,
                              JsonObject* msg) {
  if (moderation_ && moderation_->onRoomEvent(room, msg)) return;
  if (recordings_) recordings_->observeRoomEvent(room, msg);
  std::string text = json::stringify(msg);
  for (auto& [conn, s] : sessions_) {
    if (s->roomState() == RoomState::None || s->room() != room) continue;
    if (!exclude.empty() && s->participant() == exclude) continue;
    s->deliverRoomEvent(text);
  }
}

void ControlNode::onHealthz(SoupServerMessage* msg) {
  auto body = [this](bool redisUp, int64_t nodes) {
    json::Object o;
    o.set("status", redisUp ? "ok" : "degraded").set("node", nodeId()).setBool("redis", redisUp);
    o.set("sfu_nodes", nodes);
    return o;
  };
  if (!redis_ || !redis_->connected()) {
    respondJson(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, body(false, 0));
    return;
  }
  std::shared_ptr<SoupServerMessage> held(static_cast<SoupServerMessage*>(g_object_ref(msg)),
                                          MessageUnref());
  soup_server_message_pause(msg);
  std::weak_ptr<int> alive = alive_;
  placement_->liveNodes([alive, held, body](std::optional<std::vector<SfuNodeLoad>> live) {
    if (!alive.lock()) return;
    if (live) {
      respondJson(held.get(), SOUP_STATUS_OK, body(true, static_cast<int64_t>(live->size())));
    } else {
      respondJson(held.get(), SOUP_STATUS_SERVICE_UNAVAILABLE, body(false, 0));
    }
    soup_server_message_unpause(held.get());
  });
}

void ControlNode::onBusEvent(const bus::Event& ev) {
  if (ev.name == bus::event::RecordingStopped) {  // about a room's recording, not a session
    if (recordings_) recordings_->onBusEvent(ev);
    return;
  }
  if (ev.name == bus::event::StatsRoom) {  // about a room, not one session: kept for /metrics
    if (stats_) stats_->store(ev);
    return;
  }
  JsonObject* d = ev.data.get();
  std::string peer = json::getString(d, "peer").value_or("");
  std::string room = json::getString(d, "room").value_or("");
  auto s = sessionFor(peer);
  // Events for a peer that has left (or moved rooms) are late, not wrong: drop them quietly.
  // A peer still joining is included: the SFU may offer it media before the room directory
  // has answered; deliverRoomEvent() holds such messages until "joined" has gone out.
  if (!s || s->closed() || s->roomState() == RoomState::None || s->room() != room) {
    g_debug("bus event %s from %s for %s in %s: no such session here", ev.name.c_str(),
            ev.from.c_str(), peer.c_str(), room.c_str());
    return;
  }
  using Route = void (*)(ControlNode&, const std::shared_ptr<ClientSession>&, const bus::Event&);
  static const std::map<std::string_view, Route> routes{
      {bus::event::Candidate,
       [](ControlNode&, const std::shared_ptr<ClientSession>& s, const bus::Event& ev) {
         s->deliverRoomEvent(ClientEvents::candidate(ev.data.get()));
       }},
      {bus::event::SubscribeOffer,
       [](ControlNode&, const std::shared_ptr<ClientSession>& s, const bus::Event& ev) {
         s->deliverRoomEvent(ClientEvents::subscribeOffer(ev.data.get()));
       }},
      {bus::event::ConnectionState,
       [](ControlNode&, const std::shared_ptr<ClientSession>& s, const bus::Event& ev) {
         s->deliverRoomEvent(ClientEvents::connectionState(ev.data.get()));
       }},
      {bus::event::TrackPublished, [](ControlNode& n, const std::shared_ptr<ClientSession>& s,
                                      const bus::Event& ev) { n.onTrackEvent(s, ev, true); }},
      {bus::event::TrackEnded, [](ControlNode& n, const std::shared_ptr<ClientSession>& s,
                                  const bus::Event& ev) { n.onTrackEvent(s, ev, false); }},
      {bus::event::PeerFailed,
       [](ControlNode& n, const std::shared_ptr<ClientSession>& s, const bus::Event& ev) {
         std::string reason = json::getString(ev.data.get(), "reason").value_or("");
         if (s->roomState() != RoomState::InRoom) return;  // the join itself will fail
         g_warning("%s: media failed in room %s: %s", s->participant().c_str(), s->room().c_str(),
                   reason.c_str());
         s->sendError(code::MediaUnavailable, "the media connection failed: " + reason, "");
         n.leaveRoom(s, "disconnected", true);
       }},
  };
  auto r = routes.find(ev.name);
  if (r != routes.end()) r->second(*this, s, ev);
}

void ControlNode::onTrackEvent(const std::shared_ptr<ClientSession>& s, const bus::Event& ev,
                               bool published) {
  JsonObject* d = ev.data.get();
  std::string track = *json::getString(d, "track");
  std::string kind = *json::getString(d, "kind");
  bool changed =
      published ? s->addTrack(track, kind, ClientEvents::trackSource(d)) : s->removeTrack(track);
  if (published && moderation_) moderation_->onTrackPublished(s, track, kind);
  if (changed) mediaChanged(s, published ? MediaEvent::Published : MediaEvent::Ended, track, kind);
  // While joining, the entry the join writes will carry the track: nothing to announce yet.
  if (!changed || s->roomState() != RoomState::InRoom) return;
  ParticipantEntry self{s->participant(), s->name(), nodeId(),
                        JsonArrayPtr(json_array_ref(s->tracks()))};
  std::string text = ClientEvents::track(d, s->participant(), published);
  JsonObjectPtr announce = json::parseObject(text, nullptr);
  rooms_->update(s->room(), self, announce.get());
  g_message("%s %s %s track %s in room %s", s->participant().c_str(),
            published ? "published" : "ended", kind.c_str(), track.c_str(), s->room().c_str());
}

void ControlNode::shutdown(std::function<void()> done) {
  if (shuttingDown_) return;
  shuttingDown_ = true;
  g_message("node %s shutting down: leaving %zu session(s)", nodeId().c_str(), sessions_.size());
  struct State {
    int pending = 1;
    bool finished = false;
    std::function<void()> done;
    TimeoutSource deadline;
  };
  auto st = std::make_shared<State>();
  st->done = std::move(done);
  auto finish = [this, st] {
    if (st->finished) return;
    st->finished = true;
    roster_->stop();
    st->deadline.cancel();
    if (st->done) st->done();
  };
  auto step = [st, finish] {
    if (--st->pending == 0) finish();
  };
  std::vector<std::shared_ptr<ClientSession>> all = grace_->takeAll();
  for (auto& [conn, s] : sessions_) all.push_back(s);
  for (auto& s : all) {
    s->markClosed();
    if (s->roomState() == RoomState::InRoom) {
      ++st->pending;
      leaveRoom(s, "disconnected", false, "", step);
    }
    s->close(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
  }
  // Whatever has not answered in time is left to the TTLs and the SFU's own cleanup.
  struct Holder {
    std::function<void()> fn;
  };
  st->deadline.reset(g_timeout_add_full(
      G_PRIORITY_DEFAULT, 3000,
      [](gpointer h) -> gboolean {
        static_cast<Holder*>(h)->fn();
        return G_SOURCE_REMOVE;
      },
      new Holder{[st, finish] {
        st->deadline.release();
        g_warning("shutdown: not every leave was answered in time");
        finish();
      }},
      [](gpointer h) { delete static_cast<Holder*>(h); }));
  step();
}

}  // namespace carrel::control
