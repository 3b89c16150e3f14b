#include "CarrelParticipant.hpp"

namespace carrel::bench {

CarrelParticipant::CarrelParticipant(RunContext& ctx, std::string wsUrl, std::string name,
                                     bool publish, bool decode)
    : Participant(ctx, std::move(name), publish, decode),
      url_(std::move(wsUrl)),
      ws_(peer::SignalingClient::Handlers{[this] {
                                            json::Object m;
                                            m.set("type", "hello").set("name", name_);
                                            send(m);
                                          },
                                          [this](const std::string& e) { fail("websocket: " + e); },
                                          [this](const std::string& text) { onMessage(text); },
                                          [this](int code, const std::string& reason) {
                                            if (code != 1000)
                                              fail("websocket closed " + std::to_string(code) +
                                                   " " + reason);
                                          }}) {}

void CarrelParticipant::start() {
  ws_.connect(url_);
}

void CarrelParticipant::send(json::Object& m) {
  ws_.send(m.str());
}

void CarrelParticipant::subscribe(const std::vector<Feed>& feeds) {
  if (!ctx_.selectedVideo) return;
  std::vector<std::string> cameras;
  for (const Feed& f : feeds) {
    if (f.video && f.publisherId != publisherId_) cameras.push_back(f.publisherId);
  }
  cameras_ = std::move(cameras);
  sendSelection();
}

// The selection goes out once the room is joined: a subscribe before the join has no room.
void CarrelParticipant::sendSelection() {
  if (!joined_ || !cameras_) return;
  JsonArrayPtr video(json_array_new());
  for (const std::string& id : *cameras_) {
    json::Object t;
    t.set("participant", id).set("track", "video0");
    json_array_add_object_element(video.get(), t.take().release());
  }
  cameras_.reset();
  json::Object m;
  m.set("type", "subscribe").set("video", video.get());
  send(m);
}

void CarrelParticipant::sendCandidate(const char* conn, guint mline, const std::string& c) {
  json::Object m;
  m.set("type", "candidate")
      .set("conn", conn)
      .set("candidate", c)
      .set("sdp_mline_index", static_cast<int>(mline));
  send(m);
}

void CarrelParticipant::onMessage(const std::string& text) {
  std::string err;
  JsonObjectPtr m = json::parseObject(text, &err);
  if (!m) return fail("bad message: " + err);
  std::string type = json::getString(m.get(), "type").value_or("");
  if (type == "welcome") {
    publisherId_ = json::getString(m.get(), "participant").value_or("");
    json::Object join;
    join.set("type", "join").set("room", ctx_.room);
    if (ctx_.selectedVideo) join.set("video", "selected");
    subscribeAskedMs_ = sinceStart();
    send(join);
  } else if (type == "joined") {
    joined_ = true;
    sendSelection();
    if (!publishes_) return;
    startPublisher(
        [this](const std::string& sdp) {
          json::Object o;
          o.set("type", "publish_offer").set("sdp", sdp);
          send(o);
        },
        [this](guint mline, const std::string& c) { sendCandidate("publish", mline, c); });
  } else if (type == "publish_answer") {
    if (publisher_) publisher_->applyAnswer(json::getString(m.get(), "sdp").value_or(""));
  } else if (type == "subscribe_offer") {
    if (!subscriber_ &&
        !startSubscriber(
            [this](const std::string& sdp) {
              json::Object o;
              o.set("type", "subscribe_answer").set("sdp", sdp);
              send(o);
            },
            [this](guint mline, const std::string& c) { sendCandidate("subscribe", mline, c); })) {
      return;
    }
    std::vector<peer::TrackInfo> list;
    if (JsonArray* a = json::getArray(m.get(), "tracks")) {
      for (guint i = 0; i < json_array_get_length(a); ++i) {
        JsonObject* t = json_array_get_object_element(a, i);
        if (!t) continue;
        list.push_back(peer::TrackInfo{
            json::getString(t, "mid").value_or(""), json::getString(t, "participant").value_or(""),
            json::getString(t, "track").value_or(""), json::getString(t, "kind").value_or("")});
      }
    }
    subscriber_->applyOffer(json::getString(m.get(), "sdp").value_or(""), std::move(list));
  } else if (type == "candidate") {
    std::string conn = json::getString(m.get(), "conn").value_or("");
    auto mline = static_cast<guint>(json::getInt(m.get(), "sdp_mline_index").value_or(0));
    std::string c = json::getString(m.get(), "candidate").value_or("");
    if (conn == "publish" && publisher_) publisher_->addRemoteCandidate(mline, c);
    if (conn == "subscribe" && subscriber_) subscriber_->addRemoteCandidate(mline, c);
  } else if (type == "error") {
    fail("server error: " + text);
  }
}

}  // namespace carrel::bench
