// webrtcbin puts a `clocksync sync=true` before every sending pad. In a pipeline whose
// upstream latency includes a receiving jitterbuffer (an SFU forwarding), the first latency
// recalculation makes it hold every packet for that latency (+200 ms measured, see
// WEBRTCBIN-NOTES). Forwarded RTP is already paced by its sender: turn the hold off.
#pragma once

#include <gst/gst.h>

namespace carrel {

class ClocksyncHold {
 public:
  // Sets sync=false on every clocksync the webrtcbin creates from now on.
  static void disable(GstElement* webrtcbin);
  // How many clocksyncs this process has released (for logs and tests).
  static unsigned released();
};

}  // namespace carrel
