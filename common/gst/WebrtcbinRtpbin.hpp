// webrtcbin 1.22 keeps its rtpbin as a child named "rtpbin" (not a property): the one place
// that knowledge lives. Used to reach the jitterbuffers (new-jitterbuffer) and the session
// (get-internal-session).
#pragma once

#include <gst/gst.h>

#include "GstPtr.hpp"

namespace carrel {

// Null when the webrtcbin is null or has no such child (another GStreamer version).
inline GstElementPtr webrtcbinRtpbin(GstElement* webrtcbin) {
  if (!webrtcbin || !GST_IS_BIN(webrtcbin)) return GstElementPtr();
  return GstElementPtr(gst_bin_get_by_name(GST_BIN(webrtcbin), "rtpbin"));
}

}  // namespace carrel
