// After rtpsession, webrtcbin 1.22 sends every packet of a connection through three ghost pads
// (rtpbin's send_rtp_src, the transport send bin's rtp_sink, dtlssrtpenc's rtp_sink), srtpenc,
// then clocksync (sync off), a funnel (where DTLS records and SRTCP join), dtlssrtpenc's ghost
// src and nicesink, a GstBaseSink whose render only calls nice_agent_send. Per forwarded
// packet and subscriber that is a dozen pad hops (each a peer lookup, an object lock and a
// reference) and a base sink's bookkeeping around one send, and it is where much of the SFU's
// user-space CPU went (docs/benchmarks.md, session 9).
//
// Once SRTP packets flow through a connection (keys set, webrtcbin's pad blocks gone, ICE and
// DTLS up: the first packet out of srtpenc proves all of that), probes shorten the chain:
// rtpsession's packets are chained straight into srtpenc (its flow return goes back as it
// did), srtpenc's RTP output is handed to nice_agent_send on nicesink's agent, stream and
// component, as nicesink's render does, and rtprtxsend's output (before rtpsession, inside
// webrtcbin's aux sender bin) is chained into rtpsession past that bin's ghost pad. DTLS,
// SRTCP, events and queries keep webrtcbin's own path. Only where the chain has exactly that
// shape (checked when shortening; clocksync must not sync); anything else stays as it is.
#pragma once

#include <gst/gst.h>

namespace carrel::sfu {

class SendTail {
 public:
  // Before the webrtcbin negotiates: its transport send bins come later (element-added).
  static void attach(GstElement* webrtcbin);
  // At an srtpenc rtp_src pad's first packet (done by attach). False, and nothing changed,
  // when the chain around it is not the expected one.
  static bool shorten(GstPad* srtpSrc);
  // Packets this webrtcbin sent through its shortened tails (node.info; tests read it).
  static guint64 packetsSent(GstElement* webrtcbin);

 private:
  struct Sender;
  static void onElementAdded(GstBin*, GstElement* element, gpointer);
  static GstPadProbeReturn onSrtpPacket(GstPad*, GstPadProbeInfo* info, gpointer data);
};

}  // namespace carrel::sfu
