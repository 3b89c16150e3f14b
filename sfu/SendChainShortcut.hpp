// webrtcbin 1.22 sends each m-line's packets through `clocksync` (sync off in Carrel, see
// README) and an FEC encoder bin (`rtpulpfecenc ! rtpredenc`) before its rtpfunnel: five pad
// hops per packet, per subscriber, that change nothing unless ULPFEC or RED is negotiated,
// which Carrel never offers. Pointing the webrtcbin sink pad (a ghost pad) straight at what
// the encoder bin fed takes them out of a subscriber's send chain.
#pragma once

#include <gst/gst.h>

#include "GstPtr.hpp"

namespace carrel::sfu {

class SendChainShortcut {
 public:
  // webrtcbin builds a sink pad's chain when the pad's first caps arrive (its event handler),
  // so the shortcut is made at the pad's first buffer, on the streaming thread, before that
  // buffer goes on (the pad's sticky events are then sent again, down the new path). Call
  // before linking the pad; harmless on a pad shortened already.
  static void attach(GstPad* sinkPad);
  // False, with everything left as it was, when the chain is not the expected one (already
  // shortened, not built yet, another webrtcbin version, FEC or RED in use).
  static bool apply(GstPad* sinkPad);

  // rtpfunnel holds its src pad's stream lock for each packet, and when a packet comes on
  // another sink pad than the last one it sends that pad's segment (and sticky custom events)
  // down the whole send chain first: with audio and video, or several publishers, that is an
  // event through ~17 pads per packet or so (measured: 17.6 event pushes per forwarded packet
  // in a 6x6 mesh, 7.7 in a 1->10 fan-out, against ~16 buffer pushes). Where every packet of
  // a connection is sent under one lock already (SendCombiner), the funnel adds nothing: the
  // pad after it (rtpbin's send_rtp_sink; through its ghost pads, rtprtxsend's) can be chained
  // into directly. Returns that pad once
  // sinkPad (a shortened webrtcbin sink pad) feeds rtpfunnel, the funnel has sent caps and a
  // segment downstream, and that segment is the one sinkPad has (so skipping the funnel's
  // re-sends changes no running time); null otherwise. Caps and upstream events still take
  // the funnel (it maps SSRCs to pads for keyframe requests). *otherSegment is set when the
  // funnel has sent a segment that is not sinkPad's (SendCombiner::markMixedSegments).
  static GstPadPtr funnelBypass(GstPad* sinkPad, bool* otherSegment = nullptr);
};

}  // namespace carrel::sfu
