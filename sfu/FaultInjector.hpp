// Tests only (carrel-sfu --test-fault-injection, bus request debug.fail_peer): makes one
// element inside one connection's webrtcbin fail as a broken element does, so the tests can
// show that a pipeline error stays with its peer. An injection because we found nothing a
// remote peer can send that reaches the bus in 1.22: malformed RTP/RTCP, payload types that
// were not negotiated and SRTP that does not authenticate are dropped without an error (from
// reading webrtcbin/rtpbin/srtpdec, not tested one by one).
#pragma once

#include <gst/gst.h>

#include <string>

namespace carrel::sfu {

class FaultInjector {
 public:
  // sending (a subscribe connection): the transport's nicesink posts GST_ELEMENT_ERROR on
  // its next packet and fails it and every later one with GST_FLOW_ERROR, back up the send
  // path into the branches (srtpenc's input fails the same way: packets past a shortened
  // send tail, SendTail, never reach nicesink). Otherwise (a publish connection): the same from the
  // transport's nicesrc, which stops the peer's receive path (and from dtlssrtpdec's input,
  // where datagrams read from the agent's callback, NiceReceive, enter). False (and why) when the
  // webrtcbin has no such element (no transport yet).
  static bool breakConnection(GstElement* webrtc, bool sending, std::string* error);
  // A subscribe connection that refuses what its branches push, as webrtcbin does with caps
  // that do not match a transceiver's codec preferences: every input pad's target, and the
  // rtpsession pad branches chain into past the funnel, return GST_FLOW_NOT_NEGOTIATED, and,
  // like that refusal, nothing is posted on the bus.
  static bool refuseInput(GstElement* webrtc, std::string* error);

 private:
  static GstPadProbeReturn onRefuse(GstPad* pad, GstPadProbeInfo* info, gpointer data);
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data);
};

}  // namespace carrel::sfu
