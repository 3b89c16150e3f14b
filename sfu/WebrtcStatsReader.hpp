// Reads the figures Carrel reports out of a webrtcbin "get-stats" reply (GStreamer 1.22):
// per SSRC, "inbound-rtp" for what the SFU receives, "outbound-rtp" plus the matching
// "remote-inbound-rtp" (the receiver's RTCP reports) for what it sends.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <map>

namespace carrel::sfu {

struct RtpFigures {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  int64_t lost = 0;     // cumulative; RTCP may report it negative (duplicates): kept as is
  double jitterS = -1;  // -1: not reported
  double rttS = -1;     // outbound only, once a receiver report arrived; -1: not reported
};

class WebrtcStatsReader {
 public:
  // inbound: the receiving side of a connection (publish); otherwise the sending side.
  static std::map<guint, RtpFigures> read(const GstStructure* reply, bool inbound);
  // The round-trip time of a connection from its rtpsession's "stats" (seconds; -1 if no
  // receiver report carried one). get-stats gives a track an RTT only while the receiver's
  // latest report block names that track's SSRC (rtpsession keeps one block per remote
  // source): seen, a peer whose audio had an RTT and whose video had none. All tracks of a
  // connection share its transport, so the connection's RTT stands for a track without one.
  static double sessionRtt(const GstStructure* sessionStats);
  // sessionRtt of a webrtcbin's bundled session (session 0 of its rtpbin).
  static double connectionRtt(GstElement* webrtcbin);
  // A numeric field of any of the integer or double types webrtcbin uses; false if absent.
  static bool number(const GstStructure* s, const char* field, double* out);
};

}  // namespace carrel::sfu
