// webrtcbin 1.22 sends each m-line's packets through `clocksync` (sync off in Carrel, see
// README) and an FEC encoder bin (`rtpulpfecenc ! rtpredenc`) before its rtpfunnel: five pad
// hops per packet, per subscriber, that change nothing unless ULPFEC or RED is negotiated,
// which Carrel never offers. Pointing the webrtcbin sink pad (a ghost pad) straight at what
// the encoder bin fed takes them out of a subscriber's send chain.
#pragma once

#include <gst/gst.h>

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
};

}  // namespace carrel::sfu
