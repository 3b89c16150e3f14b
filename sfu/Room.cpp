#include "Room.hpp"

#include "BusProtocol.hpp"
#include "BusRelay.hpp"
#include "Json.hpp"
#include "NiceReceive.hpp"
#include "ReceiveChainShortcut.hpp"
#include "SendTail.hpp"
#include "WebrtcCall.hpp"

GST_DEBUG_CATEGORY_STATIC(carrel_sfu_room);
#define GST_CAT_DEFAULT carrel_sfu_room

namespace carrel::sfu {

Room::Room(std::string id, IceSettings ice, EmitFn emit)
    : id_(std::move(id)), ice_(std::move(ice)), emit_(std::move(emit)) {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(carrel_sfu_room, "carrel-sfu-room", 0, "Carrel SFU rooms");
    g_once_init_leave(&once, 1);
  }
}

Room::~Room() {
  closeAll();
  stopRecording("room_closed");
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  GST_INFO("room %s: closed", id_.c_str());
}

bool Room::start(std::string* error) {
  std::string name = "room-" + id_;
  GstElement* p = gst_pipeline_new(name.c_str());
  pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(p)));
  GstBusPtr bus(gst_element_get_bus(p));
  std::weak_ptr<Room> weak = weak_from_this();
  BusRelay::install(
      bus.get(),
      static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_LATENCY),
      [weak](GstMessage* message) {
        if (auto self = weak.lock()) self->onBusMessage(message);
      });
  if (gst_element_set_state(p, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "room pipeline did not start";
    return false;
  }
  GST_INFO("room %s: started", id_.c_str());
  return true;
}

Participant* Room::find(const std::string& peer) {
  auto it = participants_.find(peer);
  return it == participants_.end() ? nullptr : it->second.get();
}

bool Room::addPeer(const std::string& peer, const std::string& owner, std::string* error,
                   bool allVideo) {
  PeerContext ctx{this, id_, peer, owner};
  auto p = std::make_unique<Participant>(ctx);
  if (!p->start(pipeline_.get(), ice_)) {
    *error = "could not create the peer's webrtcbins";
    return false;
  }
  Participant* added = p.get();
  added->subscribe().setAllVideo(allVideo);
  participants_[peer] = std::move(p);
  for (auto& [otherId, other] : participants_) {
    if (otherId == peer) continue;
    for (const auto& [trackId, track] : other->publish().tracks()) {
      if (added->subscribe().wants(otherId, *track)) added->subscribe().addTrack(otherId, track);
    }
  }
  GST_INFO("room %s: peer %s added (owner %s)", id_.c_str(), peer.c_str(), owner.c_str());
  return true;
}

bool Room::removePeer(const std::string& peer) {
  auto it = participants_.find(peer);
  if (it == participants_.end()) return false;
  std::unique_ptr<Participant> p = std::move(it->second);
  participants_.erase(it);
  names_.erase(peer);
  if (recording_) recording_->participantLeft(peer, "left");
  for (auto& [otherId, other] : participants_) other->subscribe().removeTracksOf(peer);
  for (const auto& [trackId, track] : p->publish().tracks()) {
    emitTrack(bus::event::TrackEnded, *p, *track);
  }
  p->stop();
  GST_INFO("room %s: peer %s removed", id_.c_str(), peer.c_str());
  return true;
}

void Room::closeAll() {
  // A copy: removePeer erases the map entry its argument would otherwise refer to.
  while (!participants_.empty()) removePeer(std::string(participants_.begin()->first));
}

std::set<std::string> Room::owners() const {
  std::set<std::string> out;
  for (const auto& [id, p] : participants_) out.insert(p->owner());
  return out;
}

std::vector<std::string> Room::peersOwnedBy(const std::string& owner) const {
  std::vector<std::string> out;
  for (const auto& [id, p] : participants_) {
    if (p->owner() == owner) out.push_back(id);
  }
  return out;
}

size_t Room::streamCount() const {
  size_t n = 0;
  for (const auto& [id, p] : participants_) n += p->subscribe().trackCount();
  return n;
}

size_t Room::videoStreamCount() const {
  size_t n = 0;
  for (const auto& [id, p] : participants_) n += p->subscribe().videoTrackCount();
  return n;
}

uint64_t Room::sendTailPackets() const {
  uint64_t n = 0;
  for (const auto& [id, p] : participants_) {
    if (GstElement* w = p->subscribe().webrtc()) n += SendTail::packetsSent(w);
  }
  return n;
}

uint64_t Room::receiveChainPackets() const {
  uint64_t n = 0;
  for (const auto& [id, p] : participants_) {
    if (GstElement* w = p->publish().webrtc()) n += ReceiveChainShortcut::packetsChained(w);
  }
  return n;
}

NiceReceive::Counts Room::agentReadPackets() const {
  NiceReceive::Counts n;
  for (const auto& [id, p] : participants_) {
    for (GstElement* w : {p->publish().webrtc(), p->subscribe().webrtc()}) {
      if (w) n += NiceReceive::packetsReceived(w);
    }
  }
  return n;
}

bool Room::selectVideo(const std::string& peer, std::set<SubscribeConnection::TrackKey> selected) {
  Participant* p = find(peer);
  if (!p) return false;
  SubscribeConnection& sub = p->subscribe();
  // Leaving tracks first: their slots are what the entering ones re-use, in the same offer.
  for (const auto& key : sub.videoTracks()) {
    if (!selected.count(key)) sub.removeTrack(key.first, key.second);
  }
  for (auto& [otherId, other] : participants_) {
    if (otherId == peer) continue;
    for (const auto& [trackId, track] : other->publish().tracks()) {
      if (track->kind() == "video" && selected.count({otherId, trackId})) {
        sub.addTrack(otherId, track);
      }
    }
  }
  GST_INFO("room %s: %s selects %zu video track(s), receives %zu", id_.c_str(), peer.c_str(),
           selected.size(), sub.videoTrackCount());
  sub.setSelection(std::move(selected));
  return true;
}

void Room::recalculateLatency() {
  if (pipeline_) gst_bin_recalculate_latency(GST_BIN(pipeline_.get()));
}

void Room::emit(const std::string& owner, const char* event, JsonObjectPtr data) {
  if (emit_) emit_(owner, event, std::move(data));
}

void Room::onTrackPublished(const std::string& publisher,
                            const std::shared_ptr<TrackForwarder>& track) {
  Participant* pub = find(publisher);
  if (!pub) return;
  emitTrack(bus::event::TrackPublished, *pub, *track);
  if (recording_) recording_->addTrack(pipeline_.get(), publisher, names_[publisher], track);
  for (auto& [otherId, other] : participants_) {
    if (otherId != publisher && other->subscribe().wants(publisher, *track)) {
      other->subscribe().addTrack(publisher, track);
    }
  }
}

void Room::onTrackEnded(const std::string& publisher,
                        const std::shared_ptr<TrackForwarder>& track) {
  Participant* pub = find(publisher);
  if (!pub) return;
  for (auto& [otherId, other] : participants_) {
    if (otherId != publisher) other->subscribe().removeTrack(publisher, track->trackId());
  }
  if (recording_) recording_->trackEnded(publisher, track->trackId());
  emitTrack(bus::event::TrackEnded, *pub, *track);
}

void Room::emitTrack(const char* event, const Participant& publisher, const TrackForwarder& t) {
  json::Object d;
  d.set("room", id_)
      .set("peer", publisher.id())
      .set("track", t.trackId())
      .set("kind", t.kind())
      .set("source", t.source());
  emit(publisher.owner(), event, d.take());
}

bool Room::startRecording(const std::string& recordingsDir, const std::string& recording,
                          const std::string& owner, std::string* error) {
  if (recording_) {
    *error = "room '" + id_ + "' is already recording (" + recording_->id() + ")";
    return false;
  }
  recording_ = RoomRecording::start(recordingsDir, recording, id_, owner, error);
  if (!recording_) return false;
  for (auto& [peerId, p] : participants_) {
    recording_->participantJoined(peerId, names_[peerId]);
    for (const auto& [trackId, track] : p->publish().tracks()) {
      recording_->addTrack(pipeline_.get(), peerId, names_[peerId], track);
    }
  }
  return true;
}

std::optional<RoomRecording::Summary> Room::stopRecording(const char* reason) {
  if (!recording_) return std::nullopt;
  std::unique_ptr<RoomRecording> r = std::move(recording_);
  RoomRecording::Summary s = r->stop();
  json::Object d;
  d.set("room", id_)
      .set("recording", s.recording)
      .set("folder", s.folder)
      .set("duration_ms", s.durationMs)
      .set("bytes", static_cast<int64_t>(s.bytes))
      .set("tracks", s.tracks)
      .set("reason", reason);
  emit(r->owner(), bus::event::RecordingStopped, d.take());
  return s;
}

void Room::peerJoined(const std::string& peer, const std::string& name) {
  names_[peer] = name;
  if (recording_) recording_->participantJoined(peer, name);
}

void Room::schedulePeerFailure(const std::string& peer, std::string reason) {
  std::weak_ptr<Room> weak = weak_from_this();
  postToMain([weak, peer, reason]() {
    auto self = weak.lock();
    if (!self) return;
    Participant* p = self->find(peer);
    if (!p) return;
    GST_WARNING("room %s: peer %s failed: %s", self->id_.c_str(), peer.c_str(), reason.c_str());
    json::Object d;
    d.set("room", self->id_).set("peer", peer).set("reason", reason.substr(0, 1000));
    self->emit(p->owner(), bus::event::PeerFailed, d.take());
    self->removePeer(peer);
  });
}

Participant* Room::ownerOf(GstObject* src) {
  // Find the pipeline's direct child that contains the element that posted.
  GstObject* top = src ? GST_OBJECT(gst_object_ref(src)) : nullptr;
  while (top) {
    GstObject* parent = gst_object_get_parent(top);
    if (!parent) break;
    if (parent == GST_OBJECT(pipeline_.get())) {
      gst_object_unref(parent);
      break;
    }
    gst_object_unref(top);
    top = parent;
  }
  GstPtr<GstObject> topOwner(top);
  if (!top || !GST_IS_ELEMENT(top)) return nullptr;
  for (auto& [id, p] : participants_) {
    if (p->owns(GST_ELEMENT(top))) return p.get();
  }
  return nullptr;
}

void Room::handleError(GstMessage* message) {
  GError* raw = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &raw, &debug);
  GErrorPtr err(raw);
  GCharPtr debugOwner(debug);
  std::string what = err ? err->message : "unknown error";
  Participant* p = ownerOf(GST_MESSAGE_SRC(message));
  GST_WARNING("room %s: error from %s: %s (%s)", id_.c_str(), GST_MESSAGE_SRC_NAME(message),
              what.c_str(), debug ? debug : "");
  if (p) {
    schedulePeerFailure(p->id(), "media error: " + what);
  }
}

void Room::onBusMessage(GstMessage* message) {
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR:
      handleError(message);
      break;
    case GST_MESSAGE_WARNING: {
      GError* raw = nullptr;
      gst_message_parse_warning(message, &raw, nullptr);
      GErrorPtr err(raw);
      GST_WARNING("room %s: warning from %s: %s", id_.c_str(), GST_MESSAGE_SRC_NAME(message),
                  err ? err->message : "?");
      break;
    }
    case GST_MESSAGE_LATENCY:
      // The usual reaction, and exactly what would arm the clocksync trap (see
      // SubscribeConnection): forwarding must stay undelayed after it.
      GST_DEBUG("room %s: latency changed, recalculating", id_.c_str());
      recalculateLatency();
      break;
    default:
      break;
  }
}

}  // namespace carrel::sfu
