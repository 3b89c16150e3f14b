// carrel-peer --break dtls: drops every DTLS record the network delivers to a webrtcbin,
// right after its nicesrc (ICE itself, handled inside libnice, still succeeds). The DTLS
// handshake then never completes on either side, as with a middlebox that eats it; the SFU
// must tear the peer down after its connect timeout.
#pragma once

#include <gst/gst.h>

namespace carrel::peer {

class DtlsBlocker {
 public:
  // Watches the webrtcbin for the nicesrc it creates later; lives as long as the element.
  static void attach(GstElement* webrtcbin);
  // RFC 7983: a first byte of 20..63 is DTLS.
  static bool isDtls(const guint8* data, gsize size);

 private:
  static void onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer);
  static GstPadProbeReturn onBuffer(GstPad*, GstPadProbeInfo* info, gpointer);
};

}  // namespace carrel::peer
