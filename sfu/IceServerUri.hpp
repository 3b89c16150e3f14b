// Checks of the ICE server URIs carrel-sfu's webrtcbins are given, so that a typo stops the
// node at start-up with a clear message instead of silently gathering no candidates.
#pragma once

#include <string>

namespace carrel::sfu {

class IceServerUri {
 public:
  // stun://host:port
  static bool checkStun(const std::string& uri, std::string* why);
  // turn://user:password@host:port or turns://… (webrtcbin's form; ?transport=tcp|udp allowed)
  static bool checkTurn(const std::string& uri, std::string* why);
  // The candidate attribute with its connection address replaced by publicAddress when it is
  // one of the local addresses (host candidates only); anything else unchanged.
  static std::string rewriteHostAddress(const std::string& candidate,
                                        const std::string& localAddress,
                                        const std::string& publicAddress);
};

}  // namespace carrel::sfu
