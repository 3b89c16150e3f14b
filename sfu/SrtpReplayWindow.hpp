// srtpenc keeps a replay window per SSRC for what it sends too (libsrtp checks a sender's
// packet index like a receiver's), 128 packets by default, and it answers a packet older than
// the window with an element error and GST_FLOW_ERROR: for an SFU that tears the whole
// subscriber down. Forwarded packets can be that late: a publisher's retransmission of a lost
// packet is forwarded when it comes (PassThroughJitterbuffer keeps 1024 sequence numbers),
// and with the machine overloaded it came more than 128 packets late (seen in a 10x10 mesh
// bench: nine subscribers torn down with "protect failed" code 10, replay_old). The window is
// widened to libsrtp's largest, so anything the publish side lets through can be sent.
#pragma once

#include <gst/gst.h>

namespace carrel::sfu {

class SrtpReplayWindow {
 public:
  // libsrtp refuses 32768 and more; a sequence number further back than this is taken as
  // ahead (its index estimate picks the nearest), so nothing forwarded is refused as old.
  static constexpr guint kPackets = 32767;
  // Before the webrtcbin negotiates: every srtpenc it creates from now on gets the window.
  static void widen(GstElement* webrtcbin);
};

}  // namespace carrel::sfu
