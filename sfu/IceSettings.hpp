// How every webrtcbin of this node does ICE: which local addresses it gathers on (only
// those), STUN/TURN servers, no ICE-TCP.
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

namespace carrel::sfu {

class IceSettings {
 public:
  IceSettings() = default;
  IceSettings(std::vector<std::string> addresses, std::string stun, std::string turn)
      : addresses_(std::move(addresses)), stun_(std::move(stun)), turn_(std::move(turn)) {}

  // Must run before the webrtcbin gathers (before any description is set). False when the
  // ICE agent could not be restricted to the configured addresses.
  bool apply(GstElement* webrtcbin) const;

  const std::vector<std::string>& addresses() const { return addresses_; }

 private:
  std::vector<std::string> addresses_;
  std::string stun_;
  std::string turn_;
};

}  // namespace carrel::sfu
