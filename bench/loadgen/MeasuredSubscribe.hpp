// carrel-peer's subscribe connection (answers every offer, counts and optionally decodes
// what arrives) plus the bench's own per-stream counters and latency look-ups on each
// incoming pad.
#pragma once

#include "LatencyBook.hpp"
#include "StreamRegistry.hpp"
#include "SubscribeConnection.hpp"

namespace carrel::bench {

class MeasuredSubscribe : public peer::SubscribeConnection {
 public:
  MeasuredSubscribe(std::string subscriber, const peer::PeerOptions& options,
                    const peer::NetworkFilter& filter, peer::TrackTable& tracks,
                    StreamRegistry& registry, LatencyBook& book, Handlers handlers, Events events);
  bool start(std::string* error);

 private:
  static void onPadAdded(GstElement*, GstPad* pad, gpointer self);

  std::string subscriber_;
  peer::TrackTable& table_;
  StreamRegistry& registry_;
  LatencyBook& book_;
};

}  // namespace carrel::bench
