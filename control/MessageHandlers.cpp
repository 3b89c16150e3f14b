#include "MessageHandlers.hpp"

#include "AccessTokens.hpp"
#include "BusProtocol.hpp"
#include "ClientErrors.hpp"
#include "ControlNode.hpp"
#include "IceServers.hpp"
#include "JoinPolicy.hpp"
#include "MediaMessages.hpp"
#include "ModerationErrors.hpp"
#include "ModerationMessages.hpp"
#include "RecordingErrors.hpp"
#include "RecordingService.hpp"

namespace carrel::control {

namespace {

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

json::Object reply(const char* type, const std::string& ref) {
  json::Object o;
  o.set("type", type);
  if (!ref.empty()) o.set("ref", ref);
  return o;
}

JsonObjectPtr peerData(const std::string& room, const std::string& peer) {
  json::Object d;
  d.set("room", room).set("peer", peer);
  return d.take();
}

}  // namespace

const std::map<std::string_view, MessageHandlers::Handler>& MessageHandlers::table() {
  static const std::map<std::string_view, Handler> t{
      {"hello", &MessageHandlers::onHello},
      {"ping", &MessageHandlers::onPing},
      {"join", &MessageHandlers::onJoin},
      {"leave", &MessageHandlers::onLeave},
      {"publish_offer", &MessageHandlers::onPublishOffer},
      {"subscribe_answer", &MessageHandlers::onSubscribeAnswer},
      {"candidate", &MessageHandlers::onCandidate},
      {"chat", &MessageHandlers::onChat},
      {"chat_history", &MessageHandlers::onChatHistory},
      {"chat_edit", &MessageHandlers::onChatEdit},
      {"chat_delete", &MessageHandlers::onChatDelete},
      {"mute", &MessageHandlers::onMute},
      {"record_start", &MessageHandlers::onRecordStart},
      {"record_stop", &MessageHandlers::onRecordStop},
      {"subscribe", &MessageHandlers::onSubscribe},
  };
  return t;
}

void MessageHandlers::dispatch(const Session& s, std::string_view text) {
  auto parsed = parseClientMessage(text);
  if (auto* e = std::get_if<ClientError>(&parsed)) {
    g_info("%s: %s: %s", s->participant().c_str(), e->code, e->message.c_str());
    s->sendError(e->code, e->message, e->ref);
    return;
  }
  const ClientMessage& m = std::get<ClientMessage>(parsed);
  const MessageSpec& spec = *m.spec;
  if (spec.needsHello && !s->helloDone()) {
    s->sendError(code::NotHello, "send hello first", m.id);
    return;
  }
  if (!spec.needsHello && s->helloDone()) {
    s->sendError(code::AlreadyHello, "hello was already sent on this connection", m.id);
    return;
  }
  if (auto e = validateMessage(spec, m.object.get())) {
    s->sendError(code::InvalidField, e->message, m.id);
    return;
  }
  if (spec.room == RoomRule::MustBeIn && s->roomState() != RoomState::InRoom) {
    s->sendError(code::NotInRoom, std::string(m.type) + " needs a room: join one first", m.id);
    return;
  }
  if (spec.room == RoomRule::MustBeOut && s->roomState() != RoomState::None) {
    s->sendError(code::AlreadyInRoom, "already in room '" + s->room() + "': leave first", m.id);
    return;
  }
  if (findModerationMessage(m.type)) return node_.moderation().handle(s, m);
  auto h = table().find(m.type);
  if (h == table().end()) {
    if (const auto* external = node_.externalHandler(m.type))
      return (*external)(s, m);  // a message declared without a handler: a bug, not the client's
    g_warning("no handler for declared message type %s", m.type.c_str());
    s->sendError(code::Internal, "this message is not handled yet", m.id);
    return;
  }
  (this->*(h->second))(s, m);
}

void MessageHandlers::onHello(const Session& fresh, const ClientMessage& m) {
  // A client back within the reconnect grace carries on as its held session.
  Session s = fresh;
  auto token = json::getString(m.object.get(), "resume");
  Session held = token ? node_.resume(fresh, *token) : nullptr;
  if (held) {
    s = held;
  } else {
    // An account's display name wins over the one in hello (which guests choose freely).
    s->setHello(s->userId() ? s->displayName() : *json::getString(m.object.get(), "name"));
    s->setResumeToken(AccessTokens::newSessionId());
  }
  JsonArrayPtr ice =
      IceServers::forClient(node_.options().iceServers, s->participant(), nowMs() / 1000);
  auto w = reply("welcome", m.id);
  w.set("participant", s->participant())
      .set("protocol", 1)
      .set("server_time", nowMs())
      .set("ice_servers", ice.get())
      .set("resume_token", s->resumeToken())
      .setBool("resumed", held != nullptr);
  if (s->userId()) {
    json::Object user;
    user.set("id", s->userId())
        .set("display_name", s->displayName())
        .setBool("admin", s->isAdmin());
    w.set("user", user.get());
  } else {
    w.setNull("user");
  }
  s->send(w);
  if (s->userId()) node_.presence().claim(s->userId(), s->participant(), s->name());
  g_message("%s from %s says hello as '%s'%s", s->participant().c_str(), s->peerAddress().c_str(),
            s->name().c_str(), held ? " (resumed)" : "");
  if (held) node_.resumeMedia(s, m.id);
}

void MessageHandlers::onPing(const Session& s, const ClientMessage& m) {
  auto p = reply("pong", m.id);
  p.set("server_time", nowMs());
  s->send(p);
}

void MessageHandlers::onJoin(const Session& s, const ClientMessage& m) {
  std::string room = *json::getString(m.object.get(), "room");
  s->startJoining(room);
  std::string ref = m.id;
  std::string video = json::getString(m.object.get(), "video").value_or("");
  DbWorker* db = node_.database();
  if (!db) return placeAndJoin(s, room, 0, ref, video);  // no accounts: any room id is a room
  JoinRequest q{room, json::getString(m.object.get(), "password").value_or(""),
                json::getString(m.object.get(), "invite").value_or(""), s->userId(), s->isAdmin()};
  std::weak_ptr<ClientSession> weak = s;
  JoinPolicy::check(*db, std::move(q), [this, weak, room, ref, video](const JoinVerdict& v) {
    auto s = weak.lock();
    if (!s) return;
    if (s->closed() || *v.code) {
      s->clearRoom();
      if (*v.code) s->sendError(v.code, v.message, ref);
      return;
    }
    // Then moderation (ban, lock, waiting room): it may hold the join or refuse it.
    int capacity = v.capacity;
    node_.moderation().admitJoin(s, room, ref, [this, weak, room, capacity, ref, video] {
      auto s = weak.lock();
      if (!s) return;
      if (s->closed()) {
        s->clearRoom();
        return;
      }
      placeAndJoin(s, room, capacity, ref, video);
    });
  });
}

void MessageHandlers::placeAndJoin(const Session& s, const std::string& room, int capacity,
                                   const std::string& ref, const std::string& video) {
  std::weak_ptr<ClientSession> weak = s;
  node_.placement().place(room, [this, weak, room, capacity, ref, video](
                                    std::optional<std::string> sfu, const std::string& why) {
    auto s = weak.lock();
    if (!s) return;
    if (s->closed()) {
      s->clearRoom();
      return;
    }
    if (!sfu) {
      g_warning("%s cannot join room %s: %s", s->participant().c_str(), room.c_str(), why.c_str());
      s->clearRoom();
      s->sendError(code::MediaUnavailable, "no media server can take this room: " + why, ref);
      return;
    }
    joinOnNode(s, room, *sfu, capacity, ref, video);
  });
}

void MessageHandlers::joinOnNode(const Session& s, const std::string& room,
                                 const std::string& sfuNode, int capacity, const std::string& ref,
                                 const std::string& video) {
  s->setSfuNode(sfuNode);
  s->setVideoMode(video);
  JsonObjectPtr data = peerData(room, s->participant());
  json_object_set_string_member(data.get(), "name", s->name().c_str());
  if (!video.empty()) json_object_set_string_member(data.get(), "video", video.c_str());
  std::weak_ptr<ClientSession> weak = s;
  std::string participant = s->participant();
  node_.bus().request(
      sfuNode, bus::method::PeerAdd, std::move(data),
      [this, weak, room, sfuNode, capacity, participant, ref](const bus::Response& r) {
        auto s = weak.lock();
        if (!r.ok) {
          g_warning("%s: peer.add in room %s on %s failed: %s: %s", participant.c_str(),
                    room.c_str(), sfuNode.c_str(), r.error.code.c_str(), r.error.message.c_str());
          // A late SFU may still add the peer after we gave up: ask it to drop it again.
          if (r.error.code == bus::error::Timeout) node_.removePeer(sfuNode, room, participant);
          if (s && !s->closed()) {
            s->clearRoom();
            s->sendError(clientCodeForBusError(r.error.code),
                         clientMessageForBusError(r.error.code, r.error.message), ref);
          }
          return;
        }
        if (!s || s->closed()) {  // the client left while the SFU was adding it
          node_.removePeer(sfuNode, room, participant);
          if (s) s->clearRoom();
          return;
        }
        enterDirectory(s, room, sfuNode, capacity, ref);
      },
      static_cast<guint>(node_.options().sfuTimeoutMs));
}

void MessageHandlers::enterDirectory(const Session& s, const std::string& room,
                                     const std::string& sfuNode, int capacity,
                                     const std::string& ref) {
  ParticipantEntry self{s->participant(), s->name(), node_.nodeId(),
                        JsonArrayPtr(json_array_ref(s->tracks()))};
  json::Object announce;
  announce.set("type", "participant_joined")
      .set("participant", s->participant())
      .set("name", s->name());
  std::weak_ptr<ClientSession> weak = s;
  std::string participant = s->participant();
  node_.rooms().join(
      room, self, announce.get(), capacity,
      [this, weak, room, sfuNode, participant, ref](RoomDirectory::JoinStatus status,
                                                    std::vector<ParticipantEntry> others) {
        auto s = weak.lock();
        if (status == RoomDirectory::JoinStatus::Full) {
          node_.removePeer(sfuNode, room, participant);
          if (s && !s->closed()) {
            s->clearRoom();
            s->sendError(code::RoomFull, "the room is full", ref);
          }
          return;
        }
        if (status != RoomDirectory::JoinStatus::Ok) {
          g_warning("%s: could not enter room %s in Redis", participant.c_str(), room.c_str());
          node_.removePeer(sfuNode, room, participant);
          if (s && !s->closed()) {
            s->clearRoom();
            s->sendError(code::Internal, "the room directory is not reachable", ref);
          }
          return;
        }
        if (!s || s->closed()) {
          json::Object left;
          left.set("type", "participant_left")
              .set("participant", participant)
              .set("reason", "disconnected");
          node_.rooms().leave(room, participant, left.get());
          node_.removePeer(sfuNode, room, participant);
          if (s) s->clearRoom();
          return;
        }
        JsonArrayPtr list(json_array_new());
        std::vector<std::string> known;
        for (auto& e : others) {
          json::Object p;
          p.set("participant", e.participant).set("name", e.name).set("tracks", e.tracks.get());
          json_array_add_object_element(list.get(), p.take().release());
          known.push_back(e.participant);
        }
        auto joined = reply("joined", ref);
        joined.set("room", room).set("participants", list.get());
        s->send(joined);
        s->enterRoom(known);
        node_.enteredRoom(s);
        chat_.afterJoin(s, room);
        g_message("%s ('%s') joined room %s on media node %s (%zu others there)",
                  s->participant().c_str(), s->name().c_str(), room.c_str(), sfuNode.c_str(),
                  others.size());
      });
}

void MessageHandlers::onLeave(const Session& s, const ClientMessage& m) {
  node_.leaveRoom(s, "left", true, m.id);
}

void MessageHandlers::relay(const Session& s, const char* method, JsonObjectPtr data,
                            const std::string& ref,
                            std::function<void(const Session&, JsonObject*)> onOk) {
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  std::string what = method;
  node_.bus().request(
      s->sfuNode(), method, std::move(data),
      [weak, room, what, ref, onOk = std::move(onOk)](const bus::Response& r) {
        auto s = weak.lock();
        if (!s || s->closed()) return;
        if (!r.ok) {
          g_message("%s: %s failed: %s: %s", s->participant().c_str(), what.c_str(),
                    r.error.code.c_str(), r.error.message.c_str());
          s->sendError(clientCodeForBusError(r.error.code),
                       clientMessageForBusError(r.error.code, r.error.message), ref);
          return;
        }
        // An answer for a room the client has since left is of no use to it.
        if (s->roomState() != RoomState::InRoom || s->room() != room) return;
        if (onOk) onOk(s, r.data.get());
      },
      static_cast<guint>(node_.options().sfuTimeoutMs));
}

void MessageHandlers::onPublishOffer(const Session& s, const ClientMessage& m) {
  JsonObjectPtr data = peerData(s->room(), s->participant());
  json_object_set_string_member(data.get(), "sdp", json::getString(m.object.get(), "sdp")->c_str());
  if (json::getArray(m.object.get(), "tracks")) {
    json_object_set_array_member(data.get(), "tracks", publishSources(m.object.get()).release());
  }
  std::string ref = m.id;
  relay(s, bus::method::PublishOffer, std::move(data), ref,
        [ref](const Session& s, JsonObject* resp) {
          auto sdp = json::getString(resp, "sdp");
          if (!sdp || sdp->empty()) {
            g_warning("%s: the SFU answered publish_offer without an sdp",
                      s->participant().c_str());
            s->sendError(code::Internal, "the media server gave no answer", ref);
            return;
          }
          auto a = reply("publish_answer", ref);
          a.set("sdp", *sdp);
          s->send(a);
        });
}

void MessageHandlers::onSubscribeAnswer(const Session& s, const ClientMessage& m) {
  JsonObjectPtr data = peerData(s->room(), s->participant());
  json_object_set_string_member(data.get(), "sdp", json::getString(m.object.get(), "sdp")->c_str());
  relay(s, bus::method::SubscribeAnswer, std::move(data), m.id, {});
}

void MessageHandlers::onCandidate(const Session& s, const ClientMessage& m) {
  JsonObjectPtr data = peerData(s->room(), s->participant());
  JsonObject* o = m.object.get();
  json_object_set_string_member(data.get(), "conn", json::getString(o, "conn")->c_str());
  json_object_set_string_member(data.get(), "candidate", json::getString(o, "candidate")->c_str());
  json_object_set_int_member(data.get(), "sdp_mline_index", *json::getInt(o, "sdp_mline_index"));
  relay(s, bus::method::Candidate, std::move(data), m.id, {});
}

// Self mute is the client's own choice, shown to everyone (the sender too, as confirmation);
// enforcing a mute on someone else is the SFU's track.mute, for moderators.
void MessageHandlers::onMute(const Session& s, const ClientMessage& m) {
  std::string kind = *json::getString(m.object.get(), "kind");
  if (!*json::getBool(m.object.get(), "muted") && node_.moderation().isForceMuted(s, kind)) {
    s->sendError(mcode::MutedByModerator, "a moderator muted your " + kind + ": wait until allowed",
                 m.id);
    return;
  }
  node_.moderation().onSelfMute(s, kind, *json::getBool(m.object.get(), "muted"));
  node_.mediaChanged(s,
                     *json::getBool(m.object.get(), "muted") ? ControlNode::MediaEvent::Muted
                                                             : ControlNode::MediaEvent::Unmuted,
                     "", kind);
  json::Object ev;
  ev.set("type", "track_muted")
      .set("participant", s->participant())
      .set("kind", *json::getString(m.object.get(), "kind"))
      .setBool("muted", *json::getBool(m.object.get(), "muted"));
  std::weak_ptr<ClientSession> weak = s;
  std::string ref = m.id;
  node_.rooms().broadcast(s->room(), "", ev.get(), [weak, ref](bool ok) {
    auto s = weak.lock();
    if (!ok && s) s->sendError(code::Internal, "the mute could not be announced", ref);
  });
}

// Recording (RecordingService): without a database there is no catalog, so no recording.
void MessageHandlers::onRecordStart(const Session& s, const ClientMessage& m) {
  if (!node_.recordings()) {
    s->sendError(rcode::RecordingUnavailable, "this server records nothing", m.id);
    return;
  }
  node_.recordings()->start(s, m.id);
}

void MessageHandlers::onRecordStop(const Session& s, const ClientMessage& m) {
  if (!node_.recordings()) {
    s->sendError(rcode::RecordingUnavailable, "this server records nothing", m.id);
    return;
  }
  node_.recordings()->stop(s, m.id);
}

// The video tracks this client shows; the SFU forwards those (and every microphone).
void MessageHandlers::onSubscribe(const Session& s, const ClientMessage& m) {
  JsonObjectPtr data = peerData(s->room(), s->participant());
  json_object_set_array_member(data.get(), "video", videoSelection(m.object.get()).release());
  std::string ref = m.id;
  relay(s, bus::method::Subscribe, std::move(data), ref, [ref](const Session& s, JsonObject*) {
    auto r = reply("subscribed", ref);
    s->send(r);
  });
}

}  // namespace carrel::control
