// The SFU node: registers itself in Redis with a heartbeat, answers the control plane's bus
// requests through a table of small handlers, and owns the rooms.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "Bus.hpp"
#include "IceSettings.hpp"
#include "NetworkFilter.hpp"
#include "RedisConnection.hpp"
#include "Room.hpp"
#include "SfuOptions.hpp"
#include "StatsCollector.hpp"

namespace carrel::sfu {

class SfuNode {
 public:
  // Heartbeats in a row without a subscriber on an owner's channel before its peers go.
  static constexpr int kOwnerMissesBeforeDrop = 3;

  explicit SfuNode(const SfuOptions& options);
  ~SfuNode();
  SfuNode(const SfuNode&) = delete;
  SfuNode& operator=(const SfuNode&) = delete;

  // False (and why) when the options cannot be used.
  bool start(std::string* error);
  // Called once: connected, registered, listening on the bus.
  std::function<void()> onReady;
  // Unregisters, closes every room, then calls done (main context).
  void shutdown(std::function<void()> done);

  const std::string& nodeId() const { return options_.nodeId; }
  size_t roomCount() const { return rooms_.size(); }
  size_t peerCount() const;
  size_t load() const;

 private:
  using Method = void (SfuNode::*)(const bus::Request&, BusResponder);
  struct HandlerEntry {
    const char* method;
    Method fn;
  };
  static const HandlerEntry kHandlers[];

  void heartbeat();
  // Marks the room's recording as running for kSfuNodeTtlMs (bus::roomRecordingKey).
  void renewRecordingKey(Room& room);
  void checkReady();
  void sweepEmptyRooms();
  // Peers whose control node is gone (its bus channel has had no subscriber for a few
  // heartbeats) would otherwise stay forever: nobody would ever remove them.
  void checkOwners();
  void dropPeersOf(const std::string& owner);
  void emitTo(const std::string& owner, const char* event, JsonObjectPtr data);
  Room* room(const bus::Request& r, BusResponder& responder);
  Participant* peer(const bus::Request& r, BusResponder& responder, Room** roomOut = nullptr);

  void onPeerAdd(const bus::Request& r, BusResponder responder);
  void onPeerRemove(const bus::Request& r, BusResponder responder);
  void onPublishOffer(const bus::Request& r, BusResponder responder);
  void onSubscribeAnswer(const bus::Request& r, BusResponder responder);
  void onCandidate(const bus::Request& r, BusResponder responder);
  void onRoomClose(const bus::Request& r, BusResponder responder);
  void onNodeInfo(const bus::Request& r, BusResponder responder);
  void onRecalculateLatency(const bus::Request& r, BusResponder responder);
  void onFailPeer(const bus::Request& r, BusResponder responder);
  void onTrackMute(const bus::Request& r, BusResponder responder);
  void onRecordStart(const bus::Request& r, BusResponder responder);
  void onRecordStop(const bus::Request& r, BusResponder responder);
  void onRecordEvent(const bus::Request& r, BusResponder responder);
  void onSubscribe(const bus::Request& r, BusResponder responder);

  SfuOptions options_;
  IceSettings ice_;
  NetworkFilter filter_;
  RedisConnection pub_;
  RedisConnection sub_;
  std::unique_ptr<Bus> bus_;
  std::map<std::string, std::shared_ptr<Room>> rooms_;
  std::unique_ptr<StatsCollector> stats_;
  TimeoutSource heartbeat_;
  TimeoutSource readyPoll_;
  std::map<std::string, int> ownerMisses_;
  bool ready_ = false;
  bool stopping_ = false;
};

}  // namespace carrel::sfu
