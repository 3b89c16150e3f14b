// srtpenc keeps a replay window per SSRC for what it sends too (libsrtp checks a sender's
// packet index like a receiver's), 128 packets by default, and it answers a packet older than
// the window with an element error and GST_FLOW_ERROR: for an SFU that tears the whole
// subscriber down. Forwarded packets can be that late: a publisher's retransmission of a lost
// packet is forwarded when it comes (PassThroughJitterbuffer keeps 1024 sequence numbers),
// and with the machine overloaded it came more than 128 packets late (seen in a 10x10 mesh
// bench: nine subscribers torn down with "protect failed" code 10, replay_old). The window is
// widened to four times what the publish side lets through late. Not to libsrtp's largest
// (32767): libsrtp shifts the whole window's bit vector for every packet sent, 512 words at
// that size (~1 % of the SFU's CPU at 4x4), 64 at this one.
#pragma once

#include <gst/gst.h>

#include "SequenceGaps.hpp"

namespace carrel::sfu {

class SrtpReplayWindow {
 public:
  static constexpr guint kPackets = 4 * SequenceGaps::kWindow;
  static_assert(kPackets < 32768, "libsrtp refuses a window of 32768 and more");
  // Before the webrtcbin negotiates: every srtpenc it creates from now on gets the window.
  static void widen(GstElement* webrtcbin);
};

}  // namespace carrel::sfu
