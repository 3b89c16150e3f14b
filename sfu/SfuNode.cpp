#include "SfuNode.hpp"

#include <hiredis/hiredis.h>

#include "FaultInjector.hpp"
#include "Json.hpp"
#include "PublishSdpFilter.hpp"
#include "TrackLists.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_node);
#define GST_CAT_DEFAULT carrel_sfu_node

namespace carrel::sfu {

const SfuNode::HandlerEntry SfuNode::kHandlers[] = {
    {bus::method::PeerAdd, &SfuNode::onPeerAdd},
    {bus::method::PeerRemove, &SfuNode::onPeerRemove},
    {bus::method::PublishOffer, &SfuNode::onPublishOffer},
    {bus::method::SubscribeAnswer, &SfuNode::onSubscribeAnswer},
    {bus::method::Candidate, &SfuNode::onCandidate},
    {bus::method::RoomClose, &SfuNode::onRoomClose},
    {bus::method::NodeInfo, &SfuNode::onNodeInfo},
    {bus::method::DebugRecalculateLatency, &SfuNode::onRecalculateLatency},
    {bus::method::DebugFailPeer, &SfuNode::onFailPeer},
    {bus::method::TrackMute, &SfuNode::onTrackMute},
    {bus::method::RecordStart, &SfuNode::onRecordStart},
    {bus::method::RecordStop, &SfuNode::onRecordStop},
    {bus::method::RecordEvent, &SfuNode::onRecordEvent},
    {bus::method::Subscribe, &SfuNode::onSubscribe},
};

namespace {
std::string str(const bus::Request& r, const char* field) {
  return json::getString(r.data.get(), field).value_or("");
}
}  // namespace

SfuNode::SfuNode(const SfuOptions& options)
    : options_(options),
      ice_(options.iceAddresses, options.stunServer, options.turnServer),
      pub_(options.redisHost, options.redisPort, "sfu-pub"),
      sub_(options.redisHost, options.redisPort, "sfu-sub") {
  ice_.setPortRange(static_cast<unsigned>(options.icePortMin),
                    static_cast<unsigned>(options.icePortMax));
  ice_.setPublicAddress(options.publicAddress);
  ice_.setCheckPacingMs(static_cast<unsigned>(options.iceCheckPacingMs));
  ice_.setConnectTimeoutMs(options.connectTimeoutMs);
  ice_.setPassThroughJitterbuffer(options.passThroughJitterbuffer);
  ice_.setReceiveQueueBypass(options.receiveQueueBypass);
  ice_.setAgentThreadRead(options.agentThreadRead);
  ice_.setSendTailShortcut(options.sendTailShortcut);
  ice_.setReceiveChainShortcut(options.receiveChainShortcut);
  ice_.setCombinedSubscriberSend(options.combinedSubscriberSend);
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_node, "carrel-sfu-node", 0, "Carrel SFU node");
    g_once_init_leave(&once, 1);
  }
}

SfuNode::~SfuNode() {
  stats_.reset();
  heartbeat_.cancel();
  readyPoll_.cancel();
  rooms_.clear();
  bus_.reset();
}

bool SfuNode::start(std::string* error) {
  if (!filter_.setNetworks(options_.allowNetworks, error)) return false;
  for (const auto& a : options_.iceAddresses) {
    GObjectPtr<GInetAddress> addr(g_inet_address_new_from_string(a.c_str()));
    if (!addr) {
      *error = "--ice-address '" + a + "' is not an IP address";
      return false;
    }
  }
  bus_ = std::make_unique<Bus>(pub_, sub_, options_.nodeId);
  for (const auto& h : kHandlers) {
    Method fn = h.fn;
    bus_->handle(h.method, [this, fn](const bus::Request& r, BusResponder responder) {
      (this->*fn)(r, std::move(responder));
    });
  }
  stats_ = std::make_unique<StatsCollector>(rooms_, static_cast<guint>(options_.statsIntervalMs),
                                            [this](const std::string& owner, JsonObjectPtr data) {
                                              emitTo(owner, bus::event::StatsRoom, std::move(data));
                                            });
  stats_->start();
  pub_.onConnected = [this]() { heartbeat(); };
  pub_.start();
  sub_.start();
  heartbeat_.reset(g_timeout_add(
      bus::kSfuHeartbeatMs,
      [](gpointer d) -> gboolean {
        static_cast<SfuNode*>(d)->heartbeat();
        return G_SOURCE_CONTINUE;
      },
      this));
  readyPoll_.reset(g_timeout_add(
      50,
      [](gpointer d) -> gboolean {
        static_cast<SfuNode*>(d)->checkReady();
        return G_SOURCE_CONTINUE;
      },
      this));
  return true;
}

void SfuNode::checkReady() {
  if (ready_ || !pub_.connected() || !sub_.connected()) return;
  // Ready only once our own channel has a subscriber: a request sent earlier would be lost.
  pub_.command({"PUBSUB", "NUMSUB", bus::channelFor(options_.nodeId)}, [this](redisReply* r) {
    if (ready_ || !r || r->type != REDIS_REPLY_ARRAY || r->elements < 2) return;
    if (r->element[1]->type != REDIS_REPLY_INTEGER || r->element[1]->integer < 1) return;
    ready_ = true;
    readyPoll_.cancel();
    heartbeat();
    if (onReady) onReady();
  });
}

size_t SfuNode::peerCount() const {
  size_t n = 0;
  for (const auto& [id, r] : rooms_) n += r->peerCount();
  return n;
}

size_t SfuNode::load() const {
  size_t n = 0;
  for (const auto& [id, r] : rooms_) n += r->peerCount() + r->streamCount();
  return n;
}

void SfuNode::heartbeat() {
  if (stopping_ || !pub_.connected()) return;
  sweepEmptyRooms();
  json::Object o;
  o.set("node", options_.nodeId)
      .set("load", static_cast<int64_t>(load()))
      .set("rooms", static_cast<int64_t>(rooms_.size()))
      .set("peers", static_cast<int64_t>(peerCount()))
      .set("ts", static_cast<int64_t>(g_get_real_time() / 1000));
  pub_.command(
      {"SET", bus::sfuNodeKey(options_.nodeId), o.str(), "PX", std::to_string(bus::kSfuNodeTtlMs)});
  pub_.command({"SADD", bus::kSfuNodesSet, options_.nodeId});
  for (const auto& [id, r] : rooms_) {
    if (r->recording()) renewRecordingKey(*r);
  }
  checkOwners();
}

void SfuNode::renewRecordingKey(Room& room) {
  if (!room.recording() || !pub_.connected()) return;
  pub_.command({"SET", bus::roomRecordingKey(room.id()), room.recording()->id(), "PX",
                std::to_string(bus::kSfuNodeTtlMs)});
}

void SfuNode::checkOwners() {
  std::set<std::string> owners;
  for (const auto& [id, r] : rooms_) {
    auto o = r->owners();
    owners.insert(o.begin(), o.end());
  }
  for (auto it = ownerMisses_.begin(); it != ownerMisses_.end();) {
    it = owners.count(it->first) ? std::next(it) : ownerMisses_.erase(it);
  }
  for (const auto& owner : owners) {
    pub_.command({"PUBSUB", "NUMSUB", bus::channelFor(owner)}, [this, owner](redisReply* r) {
      if (!r || stopping_ || r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
          r->element[1]->type != REDIS_REPLY_INTEGER) {
        return;
      }
      if (r->element[1]->integer > 0) {
        ownerMisses_.erase(owner);
        return;
      }
      if (++ownerMisses_[owner] >= kOwnerMissesBeforeDrop) {
        ownerMisses_.erase(owner);
        dropPeersOf(owner);
      }
    });
  }
}

void SfuNode::dropPeersOf(const std::string& owner) {
  for (auto& [id, room] : rooms_) {
    for (const auto& peer : room->peersOwnedBy(owner)) {
      GST_WARNING("room %s: dropping peer %s, its control node %s is gone", id.c_str(),
                  peer.c_str(), owner.c_str());
      room->removePeer(peer);
    }
  }
  sweepEmptyRooms();
}

void SfuNode::sweepEmptyRooms() {
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    if (it->second->peerCount() == 0) {
      it = rooms_.erase(it);
    } else {
      ++it;
    }
  }
}

void SfuNode::shutdown(std::function<void()> done) {
  stopping_ = true;
  if (stats_) stats_->stop();
  heartbeat_.cancel();
  readyPoll_.cancel();
  rooms_.clear();
  if (!pub_.connected()) {
    done();
    return;
  }
  pub_.command({"DEL", bus::sfuNodeKey(options_.nodeId)});
  pub_.command({"SREM", bus::kSfuNodesSet, options_.nodeId}, [done](redisReply*) { done(); });
}

void SfuNode::emitTo(const std::string& owner, const char* event, JsonObjectPtr data) {
  if (bus_) bus_->emit(owner, event, std::move(data));
}

Room* SfuNode::room(const bus::Request& r, BusResponder& responder) {
  auto it = rooms_.find(str(r, "room"));
  if (it == rooms_.end()) {
    responder.fail(bus::error::NoSuchRoom, "no room '" + str(r, "room") + "' on this node");
    return nullptr;
  }
  return it->second.get();
}

Participant* SfuNode::peer(const bus::Request& r, BusResponder& responder, Room** roomOut) {
  Room* rm = room(r, responder);
  if (!rm) return nullptr;
  if (roomOut) *roomOut = rm;
  Participant* p = rm->find(str(r, "peer"));
  if (!p) responder.fail(bus::error::NoSuchPeer, "no peer '" + str(r, "peer") + "' in the room");
  return p;
}

void SfuNode::onPeerAdd(const bus::Request& r, BusResponder responder) {
  std::string roomId = str(r, "room");
  std::string peerId = str(r, "peer");
  auto& slot = rooms_[roomId];
  if (!slot) {
    auto created = std::make_shared<Room>(
        roomId, ice_, [this](const std::string& owner, const char* event, JsonObjectPtr data) {
          emitTo(owner, event, std::move(data));
        });
    std::string why;
    if (!created->start(&why)) {
      rooms_.erase(roomId);
      responder.fail(bus::error::Internal, why);
      return;
    }
    slot = std::move(created);
  }
  if (slot->find(peerId)) {
    responder.fail(bus::error::PeerExists, "peer '" + peerId + "' is already in the room");
    return;
  }
  std::string video = str(r, "video");
  if (!video.empty() && video != "all" && video != "selected") {
    responder.fail(bus::error::BadMessage, "video must be all or selected");
    return;
  }
  std::string why;
  if (!slot->addPeer(peerId, r.from, &why, video != "selected")) {
    responder.fail(bus::error::Internal, why);
    return;
  }
  slot->peerJoined(peerId, str(r, "name"));
  responder.ok();
}

void SfuNode::onPeerRemove(const bus::Request& r, BusResponder responder) {
  Room* rm = nullptr;
  if (!peer(r, responder, &rm)) return;
  rm->removePeer(str(r, "peer"));
  responder.ok();
  sweepEmptyRooms();
}

void SfuNode::onPublishOffer(const bus::Request& r, BusResponder responder) {
  Participant* p = peer(r, responder);
  if (!p) return;
  std::string why;
  auto sources = parseSources(r.data.get(), &why);
  if (!sources) {
    responder.fail(bus::error::BadMessage, why);
    return;
  }
  GstSdpMessagePtr sdp = parseSdp(str(r, "sdp"));
  if (!sdp) {
    responder.fail(bus::error::BadSdp, "the offer is not a parsable SDP");
    return;
  }
  p->publish().applyOffer(std::move(sdp), std::move(*sources),
                          std::make_shared<BusResponder>(std::move(responder)));
}

void SfuNode::onSubscribeAnswer(const bus::Request& r, BusResponder responder) {
  Participant* p = peer(r, responder);
  if (!p) return;
  GstSdpMessagePtr sdp = parseSdp(str(r, "sdp"));
  if (!sdp) {
    responder.fail(bus::error::BadSdp, "the answer is not a parsable SDP");
    return;
  }
  p->subscribe().applyAnswer(std::move(sdp), std::make_shared<BusResponder>(std::move(responder)));
}

void SfuNode::onCandidate(const bus::Request& r, BusResponder responder) {
  Participant* p = peer(r, responder);
  if (!p) return;
  std::string connName = str(r, "conn");
  WebrtcConnection* c = p->connection(connName);
  if (!c) {
    responder.fail(bus::error::BadMessage, "conn must be publish or subscribe");
    return;
  }
  if (!c->readyForCandidates()) {
    responder.fail(bus::error::WrongState,
                   "the " + connName + " connection has no description yet");
    return;
  }
  std::string candidate = str(r, "candidate");
  std::string address;
  switch (filter_.check(candidate, &address)) {
    case NetworkFilter::Verdict::Unparsable:
      responder.fail(bus::error::BadCandidate, "unparsable ICE candidate");
      return;
    case NetworkFilter::Verdict::Outside:
      GST_DEBUG("%s/%s: ignoring candidate on %s (outside the allowed networks)", p->id().c_str(),
                connName.c_str(), address.c_str());
      responder.ok();
      return;
    case NetworkFilter::Verdict::EndOfCandidates:
      // webrtcbin 1.22 needs no explicit end; checks simply run out.
      responder.ok();
      return;
    case NetworkFilter::Verdict::Allowed:
      break;
  }
  auto mline = json::getInt(r.data.get(), "sdp_mline_index").value_or(0);
  c->addRemoteCandidate(static_cast<guint>(mline), candidate);
  responder.ok();
}

void SfuNode::onRoomClose(const bus::Request& r, BusResponder responder) {
  auto it = rooms_.find(str(r, "room"));
  if (it == rooms_.end()) {
    responder.fail(bus::error::NoSuchRoom, "no room '" + str(r, "room") + "' on this node");
    return;
  }
  std::shared_ptr<Room> closing = std::move(it->second);
  rooms_.erase(it);
  closing->closeAll();
  responder.ok();
}

void SfuNode::onNodeInfo(const bus::Request&, BusResponder responder) {
  JsonArrayPtr ids(json_array_new());
  size_t streams = 0, videoStreams = 0;
  uint64_t tailPackets = 0, receiveChainPackets = 0;
  NiceReceive::Counts agentRead;
  for (const auto& [id, rm] : rooms_) {
    json_array_add_string_element(ids.get(), id.c_str());
    streams += rm->streamCount();
    videoStreams += rm->videoStreamCount();
    tailPackets += rm->sendTailPackets();
    receiveChainPackets += rm->receiveChainPackets();
    agentRead += rm->agentReadPackets();
  }
  json::Object d;
  d.set("node", options_.nodeId)
      .set("rooms", static_cast<int64_t>(rooms_.size()))
      .set("peers", static_cast<int64_t>(peerCount()))
      .set("load", static_cast<int64_t>(load()))
      .set("streams", static_cast<int64_t>(streams))
      .set("video_streams", static_cast<int64_t>(videoStreams))
      .set("send_tail_packets", static_cast<int64_t>(tailPackets))
      .set("receive_chain_packets", static_cast<int64_t>(receiveChainPackets))
      .set("agent_read_packets", static_cast<int64_t>(agentRead.read))
      .set("receive_thread_packets", static_cast<int64_t>(agentRead.onReceiveThreads))
      .set("room_ids", ids.get());
  responder.ok(d.take());
}

void SfuNode::onRecalculateLatency(const bus::Request& r, BusResponder responder) {
  Room* rm = room(r, responder);
  if (!rm) return;
  rm->recalculateLatency();
  responder.ok();
}

void SfuNode::onFailPeer(const bus::Request& r, BusResponder responder) {
  if (!options_.testFaultInjection) {
    responder.fail(bus::error::Unavailable,
                   "fault injection is off (the test-only --test-fault-injection was not given)");
    return;
  }
  Participant* p = peer(r, responder);
  if (!p) return;
  std::string connName = str(r, "conn");
  WebrtcConnection* c = p->connection(connName);
  if (!c) {
    responder.fail(bus::error::BadMessage, "conn must be publish or subscribe");
    return;
  }
  std::string how = json::getString(r.data.get(), "how").value_or("element_error");
  bool subscribe = c == &p->subscribe();
  if (how != "element_error" && !(how == "not_negotiated" && subscribe)) {
    responder.fail(bus::error::BadMessage,
                   "how must be element_error, or not_negotiated on a subscribe connection");
    return;
  }
  std::string why;
  bool armed = how == "element_error" ? FaultInjector::breakConnection(c->webrtc(), subscribe, &why)
                                      : FaultInjector::refuseInput(c->webrtc(), &why);
  if (!armed) {
    responder.fail(bus::error::WrongState, why);
    return;
  }
  GST_WARNING("%s/%s: fault %s injected (test-only)", p->id().c_str(), connName.c_str(),
              how.c_str());
  responder.ok();
}

void SfuNode::onTrackMute(const bus::Request& r, BusResponder responder) {
  Participant* p = peer(r, responder);
  if (!p) return;
  std::string trackId = str(r, "track");
  const auto& tracks = p->publish().tracks();
  auto it = tracks.find(trackId);
  if (it == tracks.end()) {
    responder.fail(bus::error::NoSuchTrack,
                   "peer '" + p->id() + "' publishes no track '" + trackId + "'");
    return;
  }
  it->second->setMuted(json::getBool(r.data.get(), "muted").value_or(false));
  responder.ok();
}

void SfuNode::onRecordStart(const bus::Request& r, BusResponder responder) {
  Room* rm = room(r, responder);
  if (!rm) return;
  if (options_.recordingsDir.empty()) {
    responder.fail(bus::error::Unavailable,
                   "this media node records nothing (no --recordings-dir)");
    return;
  }
  std::string why;
  if (!rm->startRecording(options_.recordingsDir, str(r, "recording"), r.from, &why)) {
    responder.fail(bus::error::WrongState, why);
    return;
  }
  // Before the answer: control writes the catalog row after it, and reads both as one.
  renewRecordingKey(*rm);
  json::Object d;
  d.set("folder", rm->recording()->folder());
  responder.ok(d.take());
}

void SfuNode::onRecordStop(const bus::Request& r, BusResponder responder) {
  Room* rm = room(r, responder);
  if (!rm) return;
  auto s = rm->stopRecording("stopped");
  if (!s) {
    responder.fail(bus::error::WrongState, "room '" + rm->id() + "' is not recording");
    return;
  }
  pub_.command({"DEL", bus::roomRecordingKey(rm->id())});
  json::Object d;
  d.set("recording", s->recording)
      .set("folder", s->folder)
      .set("duration_ms", s->durationMs)
      .set("bytes", static_cast<int64_t>(s->bytes))
      .set("tracks", s->tracks);
  responder.ok(d.take());
}

void SfuNode::onRecordEvent(const bus::Request& r, BusResponder responder) {
  Room* rm = room(r, responder);
  if (!rm) return;
  if (!rm->recording()) {
    responder.fail(bus::error::WrongState, "room '" + rm->id() + "' is not recording");
    return;
  }
  rm->recording()->event(str(r, "event"), json::getObject(r.data.get(), "data"));
  responder.ok();
}

void SfuNode::onSubscribe(const bus::Request& r, BusResponder responder) {
  Room* rm = nullptr;
  Participant* p = peer(r, responder, &rm);
  if (!p) return;
  std::string why;
  auto selected = parseSelection(r.data.get(), &why);
  if (!selected) {
    responder.fail(bus::error::BadMessage, why);
    return;
  }
  rm->selectVideo(p->id(), std::move(*selected));
  responder.ok();
}

}  // namespace carrel::sfu
