// Which remote ICE candidates the SFU may use: only those whose address lies inside one of
// the configured networks. Host names (mDNS ".local") are never resolved, so never allowed.
#pragma once

#include <gio/gio.h>

#include <string>
#include <string_view>
#include <vector>

#include "GPtr.hpp"

namespace carrel::sfu {

class NetworkFilter {
 public:
  enum class Verdict { Allowed, Outside, Unparsable, EndOfCandidates };

  // False (and a reason) when one of the CIDRs cannot be parsed.
  bool setNetworks(const std::vector<std::string>& cidrs, std::string* error);

  bool allowsAddress(std::string_view address) const;
  // candidate is an SDP candidate attribute value ("candidate:1 1 UDP 2122 127.0.0.1 5000 typ
  // host ..."), with or without the "a=" / "candidate:" prefix. *address gets the address.
  Verdict check(std::string_view candidate, std::string* address = nullptr) const;

 private:
  std::vector<GObjectPtr<GInetAddressMask>> masks_;
};

}  // namespace carrel::sfu
