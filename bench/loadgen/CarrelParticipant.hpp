// A participant speaking Carrel's client protocol (docs/protocol.md) on carrel-control's
// /ws: hello, join, publish_offer/answer, and an answer to every subscribe_offer; in a room
// joined with video "selected", a subscribe naming the cameras it shows.
#pragma once

#include <optional>

#include "Json.hpp"
#include "Participant.hpp"
#include "SignalingClient.hpp"

namespace carrel::bench {

class CarrelParticipant : public Participant {
 public:
  CarrelParticipant(RunContext& ctx, std::string wsUrl, std::string name, bool publish,
                    bool decode);
  void start() override;
  // Carrel's SFU offers every other participant's tracks by itself; with selected video it
  // forwards every microphone and the cameras of the feeds marked `video`.
  void subscribe(const std::vector<Feed>& feeds) override;

 private:
  void onMessage(const std::string& text);
  void send(json::Object& m);
  void sendCandidate(const char* conn, guint mline, const std::string& candidate);
  void sendSelection();

  std::string url_;
  peer::SignalingClient ws_;
  bool joined_ = false;
  std::optional<std::vector<std::string>> cameras_;  // publisher ids, until sent
};

}  // namespace carrel::bench
