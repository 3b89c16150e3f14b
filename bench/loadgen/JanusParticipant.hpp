// A participant in a Janus VideoRoom (multistream, Janus 1.x): one publisher handle with its
// own peer connection, and one subscriber handle whose single peer connection receives every
// feed it asks for, like Carrel's publish and subscribe connections. A feed whose camera is
// not wanted is subscribed by its microphone's mid only.
#pragma once

#include <optional>

#include "JanusSession.hpp"
#include "Participant.hpp"

namespace carrel::bench {

class JanusParticipant : public Participant {
 public:
  JanusParticipant(RunContext& ctx, std::string baseUrl, uint64_t room, std::string name,
                   bool publish, bool decode);
  void start() override;
  void subscribe(const std::vector<Feed>& feeds) override;
  // Janus refuses subscriptions ("No such feed") until the publisher's PeerConnection is up.
  bool publishReady() const override { return sending_ && webrtcUp_; }

  // Creates a room with no bitrate cap for up to `publishers` publishers; done("") on success.
  static void createRoom(JanusSession& session, uint64_t room, int publishers,
                         std::function<void(const std::string& error)> done);

 private:
  void startPublishing();
  void onPublisherEvent(JsonObject* e);
  void startSubscribing();
  void onSubscriberEvent(JsonObject* e);
  void message(uint64_t handle, json::Object& body, const char* jsepType, const std::string& sdp);
  void trickle(uint64_t handle, guint mline, const std::string& candidate);

  uint64_t room_;
  JanusSession session_;
  bool ready_ = false;
  bool webrtcUp_ = false;
  uint64_t pubHandle_ = 0;
  uint64_t subHandle_ = 0;
  std::optional<std::vector<Feed>> wanted_;
};

}  // namespace carrel::bench
