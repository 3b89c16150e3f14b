// One peer in a room: its publish and subscribe connections and the control node that
// added it (every event about the peer goes to that node).
#pragma once

#include <memory>
#include <string>

#include "IceSettings.hpp"
#include "PeerContext.hpp"
#include "PublishConnection.hpp"
#include "SubscribeConnection.hpp"

namespace carrel::sfu {

class Participant {
 public:
  explicit Participant(PeerContext ctx) : ctx_(std::move(ctx)) {}
  ~Participant() { stop(); }
  Participant(const Participant&) = delete;
  Participant& operator=(const Participant&) = delete;

  bool start(GstElement* pipeline, const IceSettings& ice);
  void stop();

  const std::string& id() const { return ctx_.peerId; }
  const std::string& owner() const { return ctx_.owner; }
  PublishConnection& publish() { return *publish_; }
  SubscribeConnection& subscribe() { return *subscribe_; }
  // "publish" or "subscribe"; nullptr for anything else.
  WebrtcConnection* connection(const std::string& conn);
  bool owns(GstElement* element) const;

 private:
  PeerContext ctx_;
  std::shared_ptr<PublishConnection> publish_;
  std::shared_ptr<SubscribeConnection> subscribe_;
};

}  // namespace carrel::sfu
