// webrtcbin 1.22 takes every received RTP packet from srtpdec through three ghost pads
// (dtlssrtpdec's rtp_src, the transport receive bin's rtp_src, rtpbin's recv_rtp_sink_%u)
// into rtpsession, and from there through the two ghost pads of its aux receiver bin
// (around rtprtxreceive and rtpreddec) into rtpstorage: five pad hops per packet, each a peer
// lookup, an object lock and a reference, on the thread that then forwards the packet to
// every subscriber. Once a connection's SRTP flows (its first packet out of srtpdec), ChainPast
// probes skip those ghost pads; the elements stay (rtprtxreceive turns the publisher's
// retransmissions back into the packets they repair). TrackForwarder does the same for the
// ghost src pads between the FEC decoder and a track's tee.
//
// rtpstorage keeps each received packet for the jitterbuffer latency + 50 ms so the ULPFEC
// decoder can rebuild lost ones; a publish connection never negotiates ULPFEC
// (PublishSdpFilter keeps VP8, Opus and RTX), so that was a queue insert per packet and,
// because the stored reference made each video packet shared, a copy of it in the FEC
// decoder (which writes the sequence number back even when passing through).
// keepNoFecStorage gives each storage of a publish connection a size of 0: it then passes
// packets on.
#pragma once

#include <gst/gst.h>

namespace carrel::sfu {

class ReceiveChainShortcut {
 public:
  // Before the webrtcbin negotiates: its transport receive bins and sessions come later.
  static void attach(GstElement* webrtcbin);
  // A publish connection's rtpbin (webrtcbinRtpbin), before it negotiates.
  static void keepNoFecStorage(GstElement* rtpbin);
  // At an srtpdec rtp_src pad's first packet (done by attach). Returns how many ghost-pad
  // stretches are skipped from then on (0: the chain was not the expected one, nothing done).
  static int shorten(GstPad* srtpSrc);
  // Packets this webrtcbin's srtpdecs chained straight into rtpsession (node.info; tests).
  static guint64 packetsChained(GstElement* webrtcbin);

 private:
  static void onElementAdded(GstBin*, GstElement* element, gpointer);
  static void onNewStorage(GstElement* rtpbin, GstElement* storage, guint session, gpointer);
};

}  // namespace carrel::sfu
