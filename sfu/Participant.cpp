#include "Participant.hpp"

#include "BusProtocol.hpp"

namespace carrel::sfu {

bool Participant::start(GstElement* pipeline, const IceSettings& ice) {
  publish_ = std::make_shared<PublishConnection>(ctx_, pipeline);
  subscribe_ = std::make_shared<SubscribeConnection>(ctx_, pipeline);
  return publish_->start(ice) && subscribe_->start(ice);
}

void Participant::stop() {
  // Its own branches hang off other publishers' tees: those go first, then its tees.
  if (subscribe_) subscribe_->stop();
  if (publish_) publish_->stop();
}

WebrtcConnection* Participant::connection(const std::string& conn) {
  if (conn == bus::kConnPublish) return publish_.get();
  if (conn == bus::kConnSubscribe) return subscribe_.get();
  return nullptr;
}

bool Participant::owns(GstElement* element) const {
  return (publish_ && publish_->owns(element)) || (subscribe_ && subscribe_->owns(element));
}

}  // namespace carrel::sfu
