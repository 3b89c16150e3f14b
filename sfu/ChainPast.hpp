// A buffer pushed on an element's src pad is chained straight into another element's sink
// pad further down, past the ghost pads (each a push, a peer lookup, a lock and a reference)
// in between. Only buffers: events, buffer lists and queries keep the linked path, so the
// sticky events the skipped pads forward still reach the sink pad first (gst_pad_push sends
// them before it runs probes). The sink pad's flow return goes back to the pusher.
#pragma once

#include <gst/gst.h>

namespace carrel::sfu {

class ChainPast {
 public:
  // Takes its own reference to sink.
  static void install(GstPad* src, GstPad* sink);

 private:
  static GstPadProbeReturn onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data);
};

}  // namespace carrel::sfu
