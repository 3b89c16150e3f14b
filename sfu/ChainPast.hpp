// A buffer pushed on an element's src pad is chained straight into another element's sink
// pad further down, past the ghost pads (each a push, a peer lookup, a lock and a reference)
// in between. Only buffers: events, buffer lists and queries keep the linked path, so the
// sticky events the skipped pads forward still reach the sink pad first (gst_pad_push sends
// them before it runs probes). The sink pad's flow return goes back to the pusher.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <memory>

namespace carrel::sfu {

class ChainPast {
 public:
  using Counter = std::shared_ptr<std::atomic<guint64>>;
  // Takes its own reference to sink; counted (when given) adds one per buffer chained.
  // Returns the probe's id (gst_pad_remove_probe undoes it).
  static gulong install(GstPad* src, GstPad* sink, Counter counted = {});
  // Past every ghost pad between src and the element pad its link ends at
  // (ElementLookup::realPeer). 0, and nothing done, when src is linked to that pad directly
  // or to nothing.
  static gulong pastGhosts(GstPad* src, Counter counted = {});

 private:
  struct Target;
  static GstPadProbeReturn onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data);
};

}  // namespace carrel::sfu
