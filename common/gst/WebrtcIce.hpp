// Keeps a webrtcbin's ICE to the addresses it is given: libnice enumerates every interface
// but loopback unless told addresses, and then gathers on those only. Also turns off what
// would send packets anywhere else (ICE-TCP listeners, UPnP's SSDP multicast search).
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

#include "GPtr.hpp"

namespace carrel {

class WebrtcIce {
 public:
  // Must run before the webrtcbin gathers (before any description is set). False, with
  // *error, when the agent cannot be restricted as asked.
  static bool restrictTo(GstElement* webrtcbin, const std::vector<std::string>& addresses,
                         std::string* error);
  // The libnice NiceAgent under a webrtcbin's ICE (GstWebRTCNice's "agent"), or null.
  static GObjectPtr<GObject> niceAgent(GstElement* webrtcbin);
};

}  // namespace carrel
