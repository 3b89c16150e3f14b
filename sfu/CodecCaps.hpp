// What a forwarded track looks like to subscribers, derived from the publisher's RTP caps.
//
// Kept: media, encoding-name, clock-rate, payload (canonical), encoding-params, rtcp-fb-*
// and ssrc (webrtcbin writes a=ssrc lines only from caps, and Chrome demuxes a BUNDLE by
// SSRC when there is no MID header extension). Dropped: extmap-* (a forwarded packet
// carries the publisher's extension ids, which would mean something else to a subscriber)
// and everything else. Payload types are canonical (VP8 96, Opus 111) so that m-lines of one
// BUNDLE never collide.
#pragma once

#include <string>

#include "GstPtr.hpp"

namespace carrel::sfu {

inline constexpr int kVp8Payload = 96;
inline constexpr int kOpusPayload = 111;

// The canonical payload type for an encoding name (case-insensitive), or -1.
int canonicalPayload(const std::string& encodingName);

// "video", "audio" or "" from the first structure's media field.
std::string mediaKind(const GstCaps* caps);

// Caps for the subscriber side (codec-preferences and the caps event the branch carries).
// nullptr when the caps are not RTP or lack an encoding name or clock rate.
GstCapsPtr forwardCaps(const GstCaps* publisherCaps);

}  // namespace carrel::sfu
