#include "ClientErrors.hpp"

#include <map>

#include "BusProtocol.hpp"

namespace carrel::control {

const char* clientCodeForBusError(std::string_view busCode) {
  static const std::map<std::string_view, const char*> table{
      {bus::error::BadSdp, code::BadSdp},
      {bus::error::BadCandidate, code::BadCandidate},
      {bus::error::NoSuchPeer, code::NoSuchConnection},
      {bus::error::WrongState, code::NoSuchConnection},
      {bus::error::Timeout, code::MediaTimeout},
      {bus::error::Unavailable, code::MediaUnavailable},
  };
  auto it = table.find(busCode);
  return it == table.end() ? code::Internal : it->second;
}

std::string clientMessageForBusError(std::string_view busCode, const std::string& busMessage) {
  const char* c = clientCodeForBusError(busCode);
  if (std::string_view(c) == code::Internal) return "the media server failed; see the server log";
  return busMessage.empty() ? std::string(c) : busMessage;
}

}  // namespace carrel::control
