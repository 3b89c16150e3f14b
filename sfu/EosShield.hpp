// webrtcbin 1.22 sends EOS out of a publisher's src pad whose m-line a re-offer made inactive
// (a stopped screen share). TrackForwarder drops that EOS at its tee, but the track's pads are
// EOS now: the next packet of it still on its way (the client keeps sending for a moment)
// gets GST_FLOW_EOS back, that jitterbuffer returns EOS from its chain, and up the bundled
// receive path (ssrcdemux, session, srtp, dtls) the publisher's transport source stops on it
// and sends EOS down every track: the publisher's camera and microphone stop for everyone
// (ScreenShareMedia; a timing matter, frequent once subscriber branches had no queue).
// The shield, on each of a publish webrtcbin's jitterbuffers, drops with OK the packets of a
// jitterbuffer whose output already got EOS, so the flow return stays with that one track.
#pragma once

#include <gst/gst.h>

namespace carrel::sfu {

class EosShield {
 public:
  // Before any packet arrives (the jitterbuffers are made per SSRC as packets come).
  static void attach(GstElement* webrtcbin);

 private:
  static void onNewJitterbuffer(GstElement* rtpbin, GstElement* jitterbuffer, guint session,
                                guint ssrc, gpointer data);
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer data);
};

}  // namespace carrel::sfu
