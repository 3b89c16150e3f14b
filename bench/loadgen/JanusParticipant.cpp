#include "JanusParticipant.hpp"

namespace carrel::bench {

namespace {

JsonObject* pluginData(JsonObject* e) {
  JsonObject* pd = json::getObject(e, "plugindata");
  return pd ? json::getObject(pd, "data") : nullptr;
}

std::optional<std::string> jsepSdp(JsonObject* e) {
  JsonObject* j = json::getObject(e, "jsep");
  return j ? json::getString(j, "sdp") : std::nullopt;
}

}  // namespace

JanusParticipant::JanusParticipant(RunContext& ctx, std::string baseUrl, uint64_t room,
                                   std::string name, bool publish, bool decode)
    : Participant(ctx, std::move(name), publish, decode), room_(room), session_(baseUrl) {}

void JanusParticipant::createRoom(JanusSession& session, uint64_t room, int publishers,
                                  std::function<void(const std::string&)> done) {
  session.attach([&session, room, publishers, done](uint64_t handle, const std::string& error) {
    if (!handle) return done(error);
    json::Object body;
    body.set("request", "create")
        .set("room", static_cast<int64_t>(room))
        .set("publishers", publishers)
        .set("bitrate", 0)
        .set("fir_freq", 0)
        .set("audiocodec", "opus")
        .set("videocodec", "vp8")
        .setBool("permanent", false);
    json::Object m;
    m.set("body", body.get());
    session.send(handle, "message", m, [done](JsonObject* r, const std::string& error) {
      JsonObject* data = r ? pluginData(r) : nullptr;
      std::string what = data ? json::getString(data, "videoroom").value_or("") : "";
      if (what != "created") return done(error.empty() ? "room not created" : error);
      done({});
    });
  });
}

void JanusParticipant::start() {
  session_.create([this](const std::string& error) {
    if (!error.empty()) return fail("janus session: " + error);
    ready_ = true;
    if (publishes_) startPublishing();
    if (wanted_) startSubscribing();
  });
}

void JanusParticipant::subscribe(const std::vector<Feed>& all) {
  std::vector<Feed> feeds;
  for (const Feed& f : all) {
    // A feed whose camera is not shown and who publishes no microphone: nothing to receive.
    if (f.publisherId == publisherId_ || (!f.video && !f.audio)) continue;
    if (!f.video && f.audioMid.empty()) return fail("no audio mid for feed " + f.publisherId);
    feeds.push_back(f);
  }
  if (feeds.empty()) return;
  wanted_ = feeds;
  if (ready_) startSubscribing();
}

void JanusParticipant::message(uint64_t handle, json::Object& body, const char* jsepType,
                               const std::string& sdp) {
  json::Object m;
  m.set("body", body.get());
  if (jsepType) {
    json::Object jsep;
    jsep.set("type", jsepType).set("sdp", sdp);
    m.set("jsep", jsep.get());
  }
  session_.send(handle, "message", m, [this](JsonObject* r, const std::string& error) {
    if (!r) fail("janus message: " + error);
  });
}

void JanusParticipant::trickle(uint64_t handle, guint mline, const std::string& candidate) {
  json::Object c;
  if (candidate.empty()) {
    c.setBool("completed", true);
  } else {
    c.set("candidate", candidate).set("sdpMLineIndex", static_cast<int>(mline));
  }
  json::Object m;
  m.set("candidate", c.get());
  session_.send(handle, "trickle", m, [this](JsonObject* r, const std::string& error) {
    if (!r) fail("janus trickle: " + error);
  });
}

void JanusParticipant::startPublishing() {
  session_.attach([this](uint64_t handle, const std::string& error) {
    if (!handle) return fail("janus attach: " + error);
    pubHandle_ = handle;
    session_.onEvent(handle, [this](JsonObject* e) { onPublisherEvent(e); });
    json::Object body;
    body.set("request", "join")
        .set("ptype", "publisher")
        .set("room", static_cast<int64_t>(room_))
        .set("display", name_);
    message(handle, body, nullptr, {});
  });
}

void JanusParticipant::onPublisherEvent(JsonObject* e) {
  if (json::getString(e, "janus").value_or("") == "webrtcup") {
    webrtcUp_ = true;
    return;
  }
  if (auto sdp = jsepSdp(e)) {
    if (publisher_) publisher_->applyAnswer(*sdp);
    return;
  }
  JsonObject* data = pluginData(e);
  if (!data) return;
  if (auto err = json::getString(data, "error")) return fail("janus publisher: " + *err);
  if (json::getString(data, "videoroom").value_or("") != "joined" || publisher_) return;
  publisherId_ = std::to_string(json::getInt(data, "id").value_or(0));
  startPublisher(
      [this](const std::string& sdp) {
        json::Object body;
        body.set("request", "publish").setBool("audio", publishesAudio()).setBool("video", true);
        message(pubHandle_, body, "offer", sdp);
      },
      [this](guint mline, const std::string& c) { trickle(pubHandle_, mline, c); });
}

void JanusParticipant::startSubscribing() {
  if (subHandle_) return;
  session_.attach([this](uint64_t handle, const std::string& error) {
    if (!handle) return fail("janus attach: " + error);
    subHandle_ = handle;
    session_.onEvent(handle, [this](JsonObject* e) { onSubscriberEvent(e); });
    JsonArrayPtr streams(json_array_new());
    for (const Feed& feed : *wanted_) {
      json::Object s;
      s.set("feed", static_cast<int64_t>(g_ascii_strtoull(feed.publisherId.c_str(), nullptr, 10)));
      // Without a mid Janus sends every stream of the feed (camera and microphone, if any).
      if (!feed.video) s.set("mid", feed.audioMid);
      json_array_add_object_element(streams.get(), s.take().release());
    }
    json::Object body;
    body.set("request", "join")
        .set("ptype", "subscriber")
        .set("room", static_cast<int64_t>(room_))
        .set("streams", streams.get());
    subscribeAskedMs_ = sinceStart();
    message(handle, body, nullptr, {});
  });
}

void JanusParticipant::onSubscriberEvent(JsonObject* e) {
  JsonObject* data = pluginData(e);
  if (data) {
    if (auto err = json::getString(data, "error")) return fail("janus subscriber: " + *err);
  }
  auto sdp = jsepSdp(e);
  if (!sdp || !data) return;
  if (!subscriber_ &&
      !startSubscriber(
          [this](const std::string& answer) {
            json::Object body;
            body.set("request", "start");
            message(subHandle_, body, "answer", answer);
          },
          [this](guint mline, const std::string& c) { trickle(subHandle_, mline, c); })) {
    return;
  }
  std::vector<peer::TrackInfo> list;
  if (JsonArray* a = json::getArray(data, "streams")) {
    for (guint i = 0; i < json_array_get_length(a); ++i) {
      JsonObject* s = json_array_get_object_element(a, i);
      if (!s) continue;
      auto feed = json::getInt(s, "feed_id");
      list.push_back(peer::TrackInfo{
          json::getString(s, "mid").value_or(""), feed ? std::to_string(*feed) : "",
          json::getString(s, "feed_mid").value_or(""), json::getString(s, "type").value_or("")});
    }
  }
  subscriber_->applyOffer(*sdp, std::move(list));
}

}  // namespace carrel::bench
