// Which addresses this peer may talk to: remote candidates outside the allowed networks are
// dropped (also those inside a remote SDP), and so are our own candidates, so a test never
// sends a packet off the machine.
#pragma once

#include <gio/gio.h>
#include <gst/sdp/sdp.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "GPtr.hpp"

namespace carrel::peer {

class NetworkFilter {
 public:
  // Parses CIDR masks ("127.0.0.0/8", "::1/128"); returns nullopt and *error on a bad one.
  static std::optional<NetworkFilter> parse(const std::vector<std::string>& cidrs,
                                            std::string* error);

  bool allowsAddress(std::string_view address) const;
  // A candidate line ("candidate:…" or "a=candidate:…"): allowed when it is well formed and
  // its connection address is an IP literal inside an allowed network. Host names (mDNS)
  // and malformed lines are refused.
  bool allowsCandidate(std::string_view candidate) const;
  // Removes the candidate attributes a remote SDP carries outside the allowed networks;
  // returns how many were removed.
  int stripCandidates(GstSDPMessage* sdp) const;

  // The connection address of a candidate line, if it has one.
  static std::optional<std::string> candidateAddress(std::string_view candidate);

 private:
  std::vector<GObjectPtr<GInetAddressMask>> masks_;
};

}  // namespace carrel::peer
