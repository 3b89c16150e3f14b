// A participant speaking Carrel's client protocol (docs/protocol.md) on carrel-control's
// /ws: hello, join, publish_offer/answer, and an answer to every subscribe_offer.
#pragma once

#include "Json.hpp"
#include "Participant.hpp"
#include "SignalingClient.hpp"

namespace carrel::bench {

class CarrelParticipant : public Participant {
 public:
  CarrelParticipant(RunContext& ctx, std::string wsUrl, std::string name, bool publish,
                    bool decode);
  void start() override;
  // Carrel's SFU offers every other participant's tracks by itself.
  void subscribe(const std::vector<std::string>&) override {}

 private:
  void onMessage(const std::string& text);
  void send(json::Object& m);
  void sendCandidate(const char* conn, guint mline, const std::string& candidate);

  std::string url_;
  peer::SignalingClient ws_;
};

}  // namespace carrel::bench
