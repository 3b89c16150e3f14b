// Induced loss on a receiving webrtcbin and what it does about it: drops every n-th incoming
// video RTP packet right after the network source (before SRTP, jitterbuffer and NACK see it,
// as a lossy network would), and reads the jitterbuffers' retransmission counters (NACKs
// sent, retransmitted packets that arrived). Attach before the webrtcbin negotiates: its
// nicesrc and jitterbuffers are created later and caught with deep-element-added.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace carrel::peer {

class ReceiveLoss {
 public:
  struct Counts {
    uint64_t dropped = 0;
    uint64_t rtxRequests = 0;   // rtpjitterbuffer rtx-count
    uint64_t rtxRecovered = 0;  // rtpjitterbuffer rtx-success-count
    uint64_t lost = 0;          // rtpjitterbuffer num-lost: never came, even asked again
  };

  // dropPercent 0: nothing dropped, counters still read. videoPayload: the PT to drop.
  ReceiveLoss(GstElement* webrtc, int dropPercent, int videoPayload = 96);
  ~ReceiveLoss();
  ReceiveLoss(const ReceiveLoss&) = delete;
  ReceiveLoss& operator=(const ReceiveLoss&) = delete;

  Counts counts() const;
  // Whether an (unencrypted header of an) SRTP packet is RTP of this payload type.
  static bool isRtpOfPayload(const guint8* data, gsize size, int payload);

 private:
  struct State;
  static void onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer data);
  GstElement* webrtc_;
  gulong handler_ = 0;
  std::shared_ptr<State> state_;
};

}  // namespace carrel::peer
