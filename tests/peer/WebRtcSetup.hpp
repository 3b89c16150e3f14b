// What every webrtcbin of this peer needs before it negotiates (see WEBRTCBIN-NOTES): one
// bundled transport, ICE on the given local addresses only (libnice leaves loopback out by
// default), NACK on every transceiver, and no clocksync hold on what it sends.
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include <set>
#include <string>
#include <vector>

namespace carrel::peer {

class WebRtcSetup {
 public:
  // Returns false (with *error) when an address could not be added to the ICE agent.
  static bool configure(GstElement* webrtc, const std::vector<std::string>& iceAddresses,
                        int latencyMs, std::string* error);

  // Mids of the m-lines a description marks inactive (a=inactive or port 0).
  static std::set<std::string> inactiveMids(const GstSDPMessage* sdp);
};

}  // namespace carrel::peer
