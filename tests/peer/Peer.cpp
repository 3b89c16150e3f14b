#include "Peer.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <thread>
#include <utility>

#include "FieldTable.hpp"

namespace carrel::peer {

namespace {

// What this client relies on in each server message; anything else in them is ignored.
constexpr std::array kWelcome{Field{"participant", FieldType::String, true, 1, 128}};
constexpr std::array kJoined{Field{"room", FieldType::String, true, 1, 64},
                             Field{"participants", FieldType::Array, true}};
constexpr std::array kParticipant{Field{"participant", FieldType::String, true, 1, 128}};
constexpr std::array kTrack{Field{"participant", FieldType::String, true, 1, 128},
                            Field{"track", FieldType::String, true, 1, 128},
                            Field{"kind", FieldType::String, false, 1, 16}};
constexpr std::array kSdp{Field{"sdp", FieldType::String, true, 1, 256 * 1024}};
constexpr std::array kSubscribeOffer{Field{"sdp", FieldType::String, true, 1, 256 * 1024},
                                     Field{"tracks", FieldType::Array, true}};
constexpr std::array kOfferTrack{Field{"mid", FieldType::String, true, 1, 64},
                                 Field{"participant", FieldType::String, true, 1, 128},
                                 Field{"track", FieldType::String, true, 1, 128},
                                 Field{"kind", FieldType::String, true, 1, 16}};
constexpr std::array kCandidate{Field{"conn", FieldType::String, true, 1, 16},
                                Field{"candidate", FieldType::String, true, 0, 1024},
                                Field{"sdp_mline_index", FieldType::Int, true, 0, 1024}};
constexpr std::array kError{Field{"code", FieldType::String, true, 1, 64},
                            Field{"message", FieldType::String, false}};
constexpr std::array kParticipantEntry{Field{"participant", FieldType::String, true, 1, 128},
                                       Field{"name", FieldType::String, false, 0, 256},
                                       Field{"tracks", FieldType::Array, false}};
constexpr std::array kTrackEntry{Field{"track", FieldType::String, true, 1, 128},
                                 Field{"source", FieldType::String, false, 0, 16}};
constexpr std::array kChat{Field{"text", FieldType::String, true, 0, 4000},
                           Field{"from", FieldType::Object, false}};

// The server message without its "type": what the report line carries.
JsonObjectPtr withoutType(JsonObject* m) {
  JsonObjectPtr copy(json_object_new());
  std::unique_ptr<GList, decltype(&g_list_free)> names(json_object_get_members(m), &g_list_free);
  for (GList* n = names.get(); n; n = n->next) {
    auto* name = static_cast<const char*>(n->data);
    if (std::string_view(name) == "type") continue;
    json_object_set_member(copy.get(), name, json_object_dup_member(m, name));
  }
  return copy;
}

}  // namespace

Peer::Peer(PeerOptions options, NetworkFilter filter, Output& out, std::function<void()> quit)
    : options_(std::move(options)),
      filter_(std::move(filter)),
      out_(out),
      quit_(std::move(quit)),
      ws_(SignalingClient::Handlers{
          .connected =
              [this] {
                json::Object hello;
                hello.set("type", "hello").set("name", options_.name);
                if (resuming_ && !resumeToken_.empty()) hello.set("resume", resumeToken_);
                send(hello);
              },
          .connectFailed = [this](const std::string& e) { fail(kConnection, "connect", e); },
          .message = [this](const std::string& text) { onMessage(text); },
          .closed =
              [this](int code, const std::string& reason) {
                if (finished_) {
                  quitOnce();
                  return;
                }
                if (stopping_) {
                  finish();
                  return;
                }
                if (resuming_) {
                  ws_.connect(options_.connectUrl());
                  return;
                }
                fail(kConnection, "closed",
                     "server closed the WebSocket (" + std::to_string(code) + " " + reason + ")");
              },
      }) {}

Peer::~Peer() = default;

int64_t Peer::sinceStart() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(TrackTable::Clock::now() - start_)
      .count();
}

void Peer::start() {
  ws_.connect(options_.connectUrl());
  if (options_.durationSec > 0) {
    durationTimer_.reset(g_timeout_add(
        static_cast<guint>(options_.durationSec) * 1000u,
        [](gpointer data) -> gboolean {
          auto* self = static_cast<Peer*>(data);
          self->durationTimer_.release();
          self->stop(kOk);
          return G_SOURCE_REMOVE;
        },
        this));
  }
  if (options_.statsIntervalMs > 0) {
    statsTimer_.reset(g_timeout_add(
        static_cast<guint>(options_.statsIntervalMs),
        [](gpointer data) -> gboolean {
          static_cast<Peer*>(data)->emitStats();
          return G_SOURCE_CONTINUE;
        },
        this));
  }
}

const std::map<std::string, Peer::Handler>& Peer::handlers() {
  static const std::map<std::string, Handler> table{
      {"welcome", &Peer::onWelcome},
      {"joined", &Peer::onJoined},
      {"left", &Peer::onLeft},
      {"participant_joined", &Peer::onParticipantJoined},
      {"participant_left", &Peer::onParticipantLeft},
      {"track_published", &Peer::onTrackPublished},
      {"track_ended", &Peer::onTrackEnded},
      {"publish_answer", &Peer::onPublishAnswer},
      {"subscribe_offer", &Peer::onSubscribeOffer},
      {"candidate", &Peer::onCandidate},
      {"connection_state", &Peer::onConnectionState},
      {"chat", &Peer::onChat},
      {"error", &Peer::onError},
      {"pong", &Peer::onPong},
      {"resumed", &Peer::onResumed},
      {"subscribed", &Peer::onSubscribed},
  };
  return table;
}

void Peer::onMessage(const std::string& text) {
  if (finished_) return;
  std::string err;
  JsonObjectPtr m = json::parseObject(text, &err);
  auto type = m ? json::getString(m.get(), "type") : std::nullopt;
  if (!type) {
    fail(kServerError, "bad_server_message", "server sent an unreadable frame: " + err);
    return;
  }
  if (options_.printTimer && (*type == "timer_state" || *type == "board")) {
    out_.emit(*type, withoutType(m.get()).get());
    return;
  }
  static const std::set<std::string> moderation{"removed",     "waiting",   "force_muted",
                                                "stop_screen", "afk_check", "role",
                                                "moderated",   "knock"};
  if (options_.printModeration && moderation.count(*type)) {
    out_.emit(*type, withoutType(m.get()).get());
    return;
  }
  auto it = handlers().find(*type);
  if (it == handlers().end()) {
    g_printerr("carrel-peer: ignoring server message of type '%s'\n", type->c_str());
    return;
  }
  (this->*(it->second))(m.get());
}

void Peer::send(json::Object& message) {
  if (!ws_.send(message.str())) {
    g_printerr("carrel-peer: not connected, dropped %s\n", message.str().c_str());
  }
}

void Peer::fail(int code, const std::string& errorCode, const std::string& message) {
  // After the summary nothing more is reported (teardown may still raise errors).
  if (finished_) return;
  json::Object o;
  o.set("code", errorCode).set("message", message);
  out_.emit("error", o.get());
  stop(code, message);
}

#define CARREL_REQUIRE(m, table)                                                 \
  if (auto bad = validateFields((m), (table))) {                                 \
    fail(kServerError, "bad_server_message", "server message: " + bad->message); \
    return;                                                                      \
  }

void Peer::onWelcome(JsonObject* m) {
  CARREL_REQUIRE(m, kWelcome);
  participant_ = *json::getString(m, "participant");
  resumeToken_ = json::getString(m, "resume_token").value_or("");
  out_.emit("welcome", withoutType(m).get());
  // Back in the room: the server sends "resumed" next, no join needed.
  if (json::getBool(m, "resumed").value_or(false)) return;
  if (resuming_) {
    fail(kConnection, "resume_failed", "the server did not take the resume token back");
    return;
  }
  json::Object join;
  join.set("type", "join").set("room", options_.room);
  if (!options_.videoMode.empty()) join.set("video", options_.videoMode);
  send(join);
}

void Peer::onJoined(JsonObject* m) {
  CARREL_REQUIRE(m, kJoined);
  inRoom_ = true;
  tracks_.setJoined(TrackTable::Clock::now());
  JsonObjectPtr fields = withoutType(m);
  json_object_set_int_member(fields.get(), "t_ms", sinceStart());
  out_.emit("joined", fields.get());
  JsonArray* others = json::getArray(m, "participants");
  for (guint i = 0; others && i < json_array_get_length(others); ++i) {
    JsonNode* n = json_array_get_element(others, i);
    JsonObject* p = n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : nullptr;
    if (!p || validateFields(p, kParticipantEntry)) {
      fail(kServerError, "bad_server_message", "joined: bad entry in participants");
      return;
    }
    std::string id = *json::getString(p, "participant");
    tiles_.addParticipant(id, json::getString(p, "name").value_or(""));
    noteTracks(id, json::getArray(p, "tracks"));
  }
  updateSelection();
  if (options_.lateIceMs > 0 && !holdingIce_ && heldLocal_.empty()) {
    holdingIce_ = true;
    after(options_.lateIceMs, [this] { releaseIce(); });
  }
  if (options_.publish && (options_.audio || options_.video || options_.screen)) startPublishing();
  if (options_.dropAfterMs > 0 && !dropTimer_.active()) {
    dropTimer_.reset(g_timeout_add(
        static_cast<guint>(options_.dropAfterMs),
        [](gpointer data) -> gboolean {
          auto* self = static_cast<Peer*>(data);
          self->dropTimer_.release();
          self->dropAndResume();
          return G_SOURCE_REMOVE;
        },
        this));
  }
  if (options_.muteAudio && options_.publish && options_.audio) {
    json::Object mute;
    mute.set("type", "mute").set("kind", "audio").setBool("muted", true);
    send(mute);
  }
  if (!options_.chat.empty()) {
    json::Object chat;
    chat.set("type", "chat").set("text", options_.chat);
    send(chat);
  }
}

void Peer::onLeft(JsonObject*) {
  inRoom_ = false;
  if (stopping_) {
    leaveTimer_.cancel();
    finish();
  }
}

void Peer::onParticipantJoined(JsonObject* m) {
  CARREL_REQUIRE(m, kParticipant);
  out_.emit("participant_joined", withoutType(m).get());
  tiles_.addParticipant(*json::getString(m, "participant"),
                        json::getString(m, "name").value_or(""));
  updateSelection();
}

void Peer::noteTracks(const std::string& participant, JsonArray* tracks) {
  for (guint i = 0; tracks && i < json_array_get_length(tracks); ++i) {
    JsonNode* n = json_array_get_element(tracks, i);
    JsonObject* t = n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : nullptr;
    if (!t || validateFields(t, kTrackEntry)) continue;
    if (json::getString(t, "source").value_or("") == "screen") {
      tiles_.addScreen(participant, *json::getString(t, "track"));
    }
  }
}

void Peer::updateSelection() {
  if (options_.videoMode != "selected" || !inRoom_) return;
  std::vector<TileSelection::Track> now = tiles_.selected();
  if (selectionSent_ && now == sentSelection_) return;
  selectionSent_ = true;
  sentSelection_ = now;
  JsonArrayPtr video(json_array_new());
  for (const auto& [participant, track] : now) {
    json::Object t;
    t.set("participant", participant).set("track", track);
    json_array_add_object_element(video.get(), t.take().release());
  }
  json::Object sub;
  sub.set("type", "subscribe").set("video", video.get());
  send(sub);
  json::Object o;
  o.set("video", video.get()).set("t_ms", sinceStart());
  out_.emit("subscribe_sent", o.get());
}

void Peer::onSubscribed(JsonObject*) {}

void Peer::toggleScreen() {
  if (!inRoom_ || stopping_) return;
  startPublishing();
  if (!publish_) return;
  bool share = !publish_->sharingScreen();
  if (share) {
    std::string err;
    if (!publish_->startScreen(&err)) {
      fail(kMedia, "media", "screen: " + err);
      return;
    }
  } else {
    publish_->stopScreen();
  }
  json::Object o;
  o.setBool("sharing", share).set("t_ms", sinceStart());
  out_.emit("screen", o.get());
}

void Peer::retile() {
  if (!inRoom_ || stopping_) return;
  tiles_.setNames(options_.retileNames);
  json::Object o;
  o.set("t_ms", sinceStart());
  out_.emit("retile", o.get());
  updateSelection();
}

void Peer::after(int ms, std::function<void()> fn) {
  struct Job {
    Peer* self;
    TimeoutSource* timer;
    std::function<void()> fn;
  };
  auto timer = std::make_unique<TimeoutSource>();
  auto* job = new Job{this, timer.get(), std::move(fn)};
  timer->reset(g_timeout_add_full(
      G_PRIORITY_DEFAULT, static_cast<guint>(ms),
      [](gpointer d) -> gboolean {
        auto* j = static_cast<Job*>(d);
        j->timer->release();
        if (!j->self->finished_ && !j->self->stopping_) j->fn();
        return G_SOURCE_REMOVE;
      },
      job, [](gpointer d) { delete static_cast<Job*>(d); }));
  timers_.push_back(std::move(timer));
}

void Peer::onParticipantLeft(JsonObject* m) {
  CARREL_REQUIRE(m, kParticipant);
  out_.emit("participant_left", withoutType(m).get());
  tiles_.removeParticipant(*json::getString(m, "participant"));
  updateSelection();
  for (const TrackSnapshot& s : tracks_.endParticipant(*json::getString(m, "participant"))) {
    emitTrackEnded(s);
  }
}

void Peer::onTrackPublished(JsonObject* m) {
  CARREL_REQUIRE(m, kTrack);
  out_.emit("track_published", withoutType(m).get());
  if (json::getString(m, "source").value_or("") == "screen") {
    tiles_.addScreen(*json::getString(m, "participant"), *json::getString(m, "track"));
    updateSelection();
  }
}

void Peer::onTrackEnded(JsonObject* m) {
  CARREL_REQUIRE(m, kTrack);
  if (json::getString(m, "source").value_or("") == "screen") {
    tiles_.removeScreen(*json::getString(m, "participant"), *json::getString(m, "track"));
    updateSelection();
  }
  auto ended = tracks_.endTrack(*json::getString(m, "participant"), *json::getString(m, "track"));
  // A track this peer never received (or one already ended by a new offer) is still worth
  // reporting: the server said it ended.
  if (ended.empty()) out_.emit("track_ended", withoutType(m).get());
  for (const TrackSnapshot& s : ended) emitTrackEnded(s);
}

void Peer::emitTrackEnded(const TrackSnapshot& s) {
  out_.emit("track_ended", TrackTable::toJson(s).get());
}

WebRtcConnection::Handlers Peer::connectionHandlers(const std::string& conn) {
  return WebRtcConnection::Handlers{
      .localCandidate =
          [this, conn](guint mline, const std::string& candidate) {
            if (options_.breakTransport == "ice") return;
            if (holdingIce_ && conn == "publish") {
              if (heldLocal_.empty()) {
                // Nothing listens on the discard port: the server's checks get no answer.
                json::Object c;
                c.set("type", "candidate")
                    .set("conn", conn)
                    .set("candidate", "candidate:9 1 UDP 2130706431 127.0.0.1 9 typ host")
                    .set("sdp_mline_index", mline);
                send(c);
              }
              heldLocal_.emplace_back(mline, candidate);
              return;
            }
            json::Object c;
            c.set("type", "candidate")
                .set("conn", conn)
                .set("candidate", candidate)
                .set("sdp_mline_index", mline);
            send(c);
          },
      .iceState =
          [this, conn](const std::string& state) {
            json::Object o;
            o.set("conn", conn).set("state", state).set("t_ms", sinceStart());
            out_.emit("ice_state", o.get());
            iceStates_[conn] = state;
            // libnice says failed when the pairs it knows failed, and checks again when a
            // late candidate arrives (a busy server): only a failure that lasts is one.
            if (state != "failed") return;
            after(options_.iceFailedGraceMs, [this, conn] {
              if (iceStates_[conn] == "failed") fail(kMedia, "ice_failed", conn + " ICE failed");
            });
          },
      .failed = [this](const std::string& e) { fail(kMedia, "media", e); },
  };
}

void Peer::startPublishing() {
  if (publish_) return;
  publish_ = std::make_unique<PublishConnection>(
      options_, filter_, connectionHandlers("publish"),
      [this](const std::string& sdp, const std::vector<std::string>& screens) {
        g_printerr("carrel-peer: publish_offer at %lld ms (%zu screen m-line(s))\n",
                   static_cast<long long>(sinceStart()), screens.size());
        json::Object offer;
        offer.set("type", "publish_offer").set("sdp", sdp);
        if (!screens.empty()) {
          JsonArrayPtr tracks(json_array_new());
          for (const auto& mid : screens) {
            json::Object t;
            t.set("mid", mid).set("source", "screen");
            json_array_add_object_element(tracks.get(), t.take().release());
          }
          offer.set("tracks", tracks.get());
        }
        send(offer);
      });
  if (options_.timing) publish_->setTimingOutput(&out_);
  std::string err;
  if (!publish_->start(&err)) fail(kMedia, "media", "publish: " + err);
}

void Peer::onPublishAnswer(JsonObject* m) {
  CARREL_REQUIRE(m, kSdp);
  if (!publish_) {
    fail(kServerError, "bad_server_message", "publish_answer without a publish_offer");
    return;
  }
  g_printerr("carrel-peer: publish_answer at %lld ms\n", static_cast<long long>(sinceStart()));
  publish_->applyAnswer(*json::getString(m, "sdp"));
}

void Peer::onSubscribeOffer(JsonObject* m) {
  CARREL_REQUIRE(m, kSubscribeOffer);
  bool later = options_.breakTransport == "answer-later" && subscribeOffers_++ > 0;
  if (options_.breakTransport == "answer" || later) {
    // A client that never answers: the SFU must give up on it after its connect timeout.
    g_printerr("carrel-peer: --break %s: subscribe_offer left unanswered\n",
               options_.breakTransport.c_str());
    return;
  }
  std::vector<TrackInfo> tracks;
  JsonArray* array = json::getArray(m, "tracks");
  for (guint i = 0; i < json_array_get_length(array); ++i) {
    JsonNode* n = json_array_get_element(array, i);
    JsonObject* t = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : nullptr;
    if (!t || validateFields(t, kOfferTrack)) {
      fail(kServerError, "bad_server_message", "subscribe_offer: bad entry in tracks");
      return;
    }
    tracks.push_back(TrackInfo{*json::getString(t, "mid"), *json::getString(t, "participant"),
                               *json::getString(t, "track"), *json::getString(t, "kind"),
                               json::getString(t, "source").value_or("")});
  }
  {
    JsonNode* n = json_object_get_member(m, "tracks");
    std::string sdp = *json::getString(m, "sdp"), mids;
    for (size_t at = sdp.find("a=mid:"); at != std::string::npos; at = sdp.find("a=mid:", at + 1)) {
      mids += sdp.substr(at + 6, sdp.find_first_of("\r\n", at) - at - 6) + " ";
    }
    g_printerr("carrel-peer: subscribe_offer tracks %s sdp mids %s\n", json::stringify(n).c_str(),
               mids.c_str());
    // How many m-lines the SFU's offer carries: a test checks they stay bounded over churn.
    int64_t mlines = 0;
    for (size_t at = sdp.find("\nm="); at != std::string::npos; at = sdp.find("\nm=", at + 1)) {
      ++mlines;
    }
    json::Object o;
    o.set("mlines", mlines)
        .set("tracks", static_cast<int64_t>(tracks.size()))
        .set("t_ms", sinceStart());
    out_.emit("subscribe_offer", o.get());
  }
  if (!options_.subscribe) return;
  if (!subscribe_) {
    subscribe_ = std::make_unique<SubscribeConnection>(
        options_, filter_, tracks_, connectionHandlers("subscribe"),
        SubscribeConnection::Events{
            .answer =
                [this](const std::string& sdp) {
                  json::Object answer;
                  answer.set("type", "subscribe_answer").set("sdp", sdp);
                  send(answer);
                },
            .trackFlowing =
                [this](const TrackSnapshot& s) { out_.emit("track", TrackTable::toJson(s).get()); },
            .trackEnded = [this](const TrackSnapshot& s) { emitTrackEnded(s); },
        });
    if (options_.timing) subscribe_->setTimingOutput(&out_);
    std::string err;
    if (!subscribe_->start(&err)) {
      fail(kMedia, "media", "subscribe: " + err);
      return;
    }
  }
  subscribe_->applyOffer(*json::getString(m, "sdp"), std::move(tracks));
}

void Peer::onCandidate(JsonObject* m) {
  CARREL_REQUIRE(m, kCandidate);
  std::string conn = *json::getString(m, "conn");
  if (options_.printCandidates) out_.emit("remote_candidate", withoutType(m).get());
  if (options_.breakTransport == "ice") return;
  // It never took up the offer these belong to.
  if (options_.breakTransport == "answer" && conn == "subscribe") return;
  WebRtcConnection* target = nullptr;
  if (conn == "publish") target = publish_.get();
  if (conn == "subscribe") target = subscribe_.get();
  // With --no-subscribe the SFU's subscribe candidates have nothing to go to, by design.
  if (!target && conn == "subscribe" && !options_.subscribe) return;
  if (!target) {
    fail(kServerError, "bad_server_message",
         "candidate for connection '" + conn + "' we do not have");
    return;
  }
  if (holdingIce_ && conn == "publish") {
    heldRemote_.emplace_back(static_cast<guint>(*json::getInt(m, "sdp_mline_index")),
                             *json::getString(m, "candidate"));
    return;
  }
  target->addRemoteCandidate(static_cast<guint>(*json::getInt(m, "sdp_mline_index")),
                             *json::getString(m, "candidate"));
}

void Peer::releaseIce() {
  holdingIce_ = false;
  out_.emit("ice_released", json::Object().set("t_ms", sinceStart()).get());
  for (auto& [mline, candidate] : heldLocal_) {
    json::Object c;
    c.set("type", "candidate")
        .set("conn", "publish")
        .set("candidate", candidate)
        .set("sdp_mline_index", static_cast<int64_t>(mline));
    send(c);
  }
  for (auto& [mline, candidate] : heldRemote_) {
    if (publish_) publish_->addRemoteCandidate(mline, candidate);
  }
  heldLocal_.clear();
  heldRemote_.clear();
}

void Peer::onConnectionState(JsonObject* m) {
  out_.emit("connection_state", withoutType(m).get());
}

void Peer::onChat(JsonObject* m) {
  CARREL_REQUIRE(m, kChat);
  out_.emit("chat", withoutType(m).get());
}

void Peer::onError(JsonObject* m) {
  CARREL_REQUIRE(m, kError);
  out_.emit("error", withoutType(m).get());
  stop(kServerError, "server error " + *json::getString(m, "code"));
}

void Peer::onPong(JsonObject*) {}

void Peer::dropAndResume() {
  if (stopping_ || resumeToken_.empty()) return;
  json::Object o;
  o.set("t_ms", sinceStart());
  out_.emit("dropping", o.get());
  resuming_ = true;
  // Both media connections start over: the server replaces our SFU peer, whose first
  // subscribe_offer may come before or after `resumed`.
  subscribe_.reset();
  publish_.reset();
  ws_.close();
}

// The server kept our place and made a new SFU peer: both media connections start over.
void Peer::onResumed(JsonObject* m) {
  resuming_ = false;
  JsonObjectPtr fields = withoutType(m);
  json_object_set_int_member(fields.get(), "t_ms", sinceStart());
  out_.emit("resumed", fields.get());
  // The new SFU peer knows nothing of our tiles yet.
  selectionSent_ = false;
  updateSelection();
  if (options_.publish && (options_.audio || options_.video)) startPublishing();
}

JsonObjectPtr Peer::published() const {
  json::Object p;
  p.set("video_frames",
        static_cast<int64_t>(publish_ ? publish_->videoFrames() : videoFramesAtStop_))
      .set("screen_frames",
           static_cast<int64_t>(publish_ ? publish_->screenFrames() : screenFramesAtStop_))
      .set("audio_buffers",
           static_cast<int64_t>(publish_ ? publish_->audioBuffers() : audioBuffersAtStop_))
      .set("video_packets_dropped",
           static_cast<int64_t>(publish_ ? publish_->droppedVideoPackets() : droppedAtStop_))
      .set("video_keyframe_requests",
           static_cast<int64_t>(publish_ ? publish_->videoKeyframeRequests()
                                         : keyframeRequestsAtStop_));
  return p.take();
}

void Peer::emitStats() {
  json::Object o;
  o.set("t_ms", sinceStart());
  JsonArrayPtr all = TrackTable::toJson(tracks_.snapshot());
  o.set("tracks", all.get());
  JsonObjectPtr pub = published();
  o.set("published", pub.get());
  if (subscribe_) {
    ReceiveLoss::Counts c = subscribe_->lossCounts();
    json::Object r;
    r.set("dropped", static_cast<int64_t>(c.dropped))
        .set("rtx_requests", static_cast<int64_t>(c.rtxRequests))
        .set("rtx_recovered", static_cast<int64_t>(c.rtxRecovered))
        .set("lost", static_cast<int64_t>(c.lost));
    o.set("receive", r.get());
  }
  out_.emit("stats", o.get());
}

void Peer::stop(int exitCode, const std::string& why) {
  if (exitCode_ == kOk) exitCode_ = exitCode;
  if (!why.empty()) g_printerr("carrel-peer: stopping: %s\n", why.c_str());
  if (stopping_) {
    finish();
    return;
  }
  stopping_ = true;
  if (!ws_.open()) {
    finish();
    return;
  }
  if (inRoom_) {
    json::Object leave;
    leave.set("type", "leave");
    send(leave);
    // Wait for "left", but not forever.
    leaveTimer_.reset(g_timeout_add(
        2000,
        [](gpointer data) -> gboolean {
          auto* self = static_cast<Peer*>(data);
          self->leaveTimer_.release();
          g_printerr("carrel-peer: no 'left' from the server in 2 s\n");
          self->finish();
          return G_SOURCE_REMOVE;
        },
        this));
    return;
  }
  finish();
}

void Peer::finish() {
  if (finished_) return;
  finished_ = true;
  statsTimer_.cancel();
  durationTimer_.cancel();
  leaveTimer_.cancel();
  dropTimer_.cancel();
  timers_.clear();
  if (publish_) {
    videoFramesAtStop_ = publish_->videoFrames();
    audioBuffersAtStop_ = publish_->audioBuffers();
    screenFramesAtStop_ = publish_->screenFrames();
    droppedAtStop_ = publish_->droppedVideoPackets();
    keyframeRequestsAtStop_ = publish_->videoKeyframeRequests();
  }
  // Pipelines stop before the summary, so its counters are final. Stopping a webrtcbin whose
  // pads wait for a negotiation has been seen to hang in GStreamer: a watchdog turns that into
  // a clear failure (an error line and exit code 4) instead of a test waiting for its timeout.
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(15));
    std::fprintf(stderr, "carrel-peer: teardown hung for 15 s; exiting\n");
    std::printf(
        "{\"event\":\"error\",\"code\":\"teardown_hung\",\"message\":\"stopping the "
        "pipelines hung\"}\n");
    std::fflush(stdout);
    std::_Exit(4);
  }).detach();
  subscribe_.reset();
  publish_.reset();
  json::Object o;
  o.set("t_ms", sinceStart()).set("exit_code", exitCode_);
  if (!participant_.empty()) o.set("participant", participant_);
  JsonArrayPtr all = TrackTable::toJson(tracks_.snapshot());
  o.set("tracks", all.get());
  JsonObjectPtr pub = published();
  o.set("published", pub.get());
  o.set("unattributed_packets", static_cast<int64_t>(tracks_.unattributedPackets()));
  out_.emit("summary", o.get());
  if (!ws_.open()) {
    quitOnce();
    return;
  }
  // Let the close handshake finish, so the server sees a clean close rather than a reset.
  ws_.close();
  leaveTimer_.reset(g_timeout_add(
      1000,
      [](gpointer data) -> gboolean {
        auto* self = static_cast<Peer*>(data);
        self->leaveTimer_.release();
        self->quitOnce();
        return G_SOURCE_REMOVE;
      },
      this));
}

void Peer::quitOnce() {
  if (quit_) std::exchange(quit_, nullptr)();
}

}  // namespace carrel::peer
