// The jitterbuffer a publish connection's rtpbin gets (its request-jitterbuffer signal): a
// GstElement that keeps nothing back. Each packet goes on at once, on the thread that received
// it; only duplicates are dropped. Gaps are asked for again upstream (the same
// GstRTPRetransmissionRequest events rtpjitterbuffer sends, turned into NACKs by rtpsession),
// and a retransmitted packet is forwarded when it comes, out of order: every subscriber's
// receiver has a jitterbuffer of its own that puts packets back in order.
//
// Why: rtpjitterbuffer gives each published stream two threads (output and timer) and hands
// every received packet over to its output thread, which then does all the forwarding. An SFU
// needs neither the reordering nor the playout timing; the hand-off is a futex wake and a
// context switch per received packet, and on a 2-core machine the threads compete with
// everything else (docs/benchmarks.md). It exposes what rtpbin and webrtcbin set or read on a
// jitterbuffer: latency (kept, nothing is held), do-retransmission, and stats (num-pushed,
// num-lost, num-late, num-duplicates, rtx-count, rtx-success-count).
#pragma once

#include <gst/gst.h>

namespace carrel::sfu {

class PassThroughJitterbuffer {
 public:
  // A new element (floating ref), as request-jitterbuffer hands to rtpbin.
  static GstElement* create();
  // For rtpbin's request-jitterbuffer signal.
  static GstElement* onRequestJitterbuffer(GstElement* rtpbin, guint session, gpointer);
  static GType type();
};

}  // namespace carrel::sfu
