// The client messages made from SFU bus events (docs/protocol.md "Media"): pure translations,
// so the renaming (bus "peer" -> client "participant") is tested without a media server.
#pragma once

#include <string>

#include "GPtr.hpp"

namespace carrel::control {

class ClientEvents {
 public:
  // Each takes the event's validated data (common/BusProtocol.hpp) and returns the client text.
  static std::string candidate(JsonObject* busData);
  static std::string subscribeOffer(JsonObject* busData);
  static std::string connectionState(JsonObject* busData);
  static std::string track(JsonObject* busData, const std::string& participant, bool published);
  // A track event's source; an SFU that sends none means camera (video) or microphone (audio).
  static std::string trackSource(JsonObject* busData);
};

}  // namespace carrel::control
