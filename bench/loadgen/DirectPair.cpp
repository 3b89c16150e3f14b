#include "DirectPair.hpp"

namespace carrel::bench {

DirectPair::DirectPair(RunContext& ctx) : Participant(ctx, "direct", true, false) {
  publisherId_ = "direct";
}

void DirectPair::start() {
  subscribeAskedMs_ = sinceStart();
  bool ok = startSubscriber(
      [this](const std::string& answer) { publisher_->applyAnswer(answer); },
      [this](guint mline, const std::string& c) { publisher_->addRemoteCandidate(mline, c); });
  if (!ok) return;
  startPublisher(
      [this](const std::string& offer) {
        // The publisher's m-lines are video (mid 0) then audio (mid 1).
        subscriber_->applyOffer(offer, {{"video0", "direct", "video", "video"},
                                        {"audio1", "direct", "audio", "audio"}});
      },
      [this](guint mline, const std::string& c) { subscriber_->addRemoteCandidate(mline, c); });
}

}  // namespace carrel::bench
