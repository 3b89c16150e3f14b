// What a peer's connections need to know about where they live: ids for events and logs,
// and the room that routes their events to the control node that owns the peer.
#pragma once

#include <string>

namespace carrel::sfu {

class Room;

struct PeerContext {
  Room* room = nullptr;  // outlives the connections (the room owns the participant)
  std::string roomId;
  std::string peerId;
  std::string owner;  // the control node that added this peer
};

}  // namespace carrel::sfu
