// Induced loss on a sending webrtcbin: drops every n-th outgoing video RTP packet on its way
// to the network (after SRTP, so the sender's retransmission store still has it, as with a
// lossy uplink). The receiver must ask for it again to get it. Attach before the webrtcbin
// negotiates: its nicesink is created later and caught with deep-element-added.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace carrel::peer {

class SendLoss {
 public:
  // dropPercent 0: nothing dropped. videoPayload: the PT to drop (not its RTX).
  SendLoss(GstElement* webrtc, int dropPercent, int videoPayload = 96);
  ~SendLoss();
  SendLoss(const SendLoss&) = delete;
  SendLoss& operator=(const SendLoss&) = delete;

  uint64_t dropped() const;

 private:
  struct State;
  static void onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer data);
  GstElement* webrtc_;
  gulong handler_ = 0;
  std::shared_ptr<State> state_;
};

}  // namespace carrel::peer
