// Narrows a publisher's offer to what the SFU forwards (VP8 video, Opus audio) before
// webrtcbin answers it: an answer to a browser's offer would otherwise list every codec the
// browser offered, and the browser could pick one that subscribers were never offered.
#pragma once

#include "GstPtr.hpp"

namespace carrel::sfu {

// Removes every other payload type (and its rtpmap/fmtp/rtcp-fb lines) from audio and video
// m-lines. An m-line with nothing forwardable is left as it was (webrtcbin then rejects or
// answers it as it would). Returns how many payload types were removed.
int keepForwardableCodecs(GstSDPMessage* sdp);

// Parses an SDP; nullptr when it is not one (no media, or garbage).
GstSdpMessagePtr parseSdp(const std::string& text);

}  // namespace carrel::sfu
