// --timing: one line per RTP packet passing a pad, keyed by (ssrc, seq) with the wall clock
// in µs, so a test can match what one peer sent with what another received and measure the
// one-way delay through the SFU. Written straight from the streaming thread: a hop to the
// main loop would add its own delay to the measurement.
#pragma once

#include <gst/gst.h>

#include <string>

#include "Output.hpp"

namespace carrel::peer {

class RtpTiming {
 public:
  // event is "rtp_sent" or "rtp_received". The output must outlive the pad.
  static void attach(GstPad* pad, Output& out, const char* event);
};

}  // namespace carrel::peer
