// One room: one GstPipeline holding every participant's webrtcbins, tees and branches. It
// routes tracks from publishers to subscribers, watches the pipeline's bus (one peer's
// error tears down that peer alone) and sends events to each peer's control node.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "GPtr.hpp"
#include "GstPtr.hpp"
#include "IceSettings.hpp"
#include "NiceReceive.hpp"
#include "Participant.hpp"
#include "RoomRecording.hpp"

namespace carrel::sfu {

class Room : public std::enable_shared_from_this<Room> {
 public:
  using EmitFn =
      std::function<void(const std::string& owner, const char* event, JsonObjectPtr data)>;

  Room(std::string id, IceSettings ice, EmitFn emit);
  ~Room();
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  bool start(std::string* error);
  const std::string& id() const { return id_; }
  GstElement* pipeline() const { return pipeline_.get(); }

  Participant* find(const std::string& peer);
  // allVideo false: the peer receives only the video tracks it selects (selectVideo).
  bool addPeer(const std::string& peer, const std::string& owner, std::string* error,
               bool allVideo = true);
  // The video tracks this peer receives from now on; the others' branches go, these come
  // (re-using the freed slots). False if there is no such peer.
  bool selectVideo(const std::string& peer, std::set<SubscribeConnection::TrackKey> selected);
  // Tears the peer down and tells its owner its tracks ended. False if there is no such peer.
  bool removePeer(const std::string& peer);
  void closeAll();
  // The control nodes that own this room's peers, and the peers one of them owns.
  std::set<std::string> owners() const;
  std::vector<std::string> peersOwnedBy(const std::string& owner) const;
  size_t peerCount() const { return participants_.size(); }
  const std::map<std::string, std::unique_ptr<Participant>>& participants() const {
    return participants_;
  }
  // Forwarded streams (subscriber branches): the node's load.
  size_t streamCount() const;
  size_t videoStreamCount() const;
  // Packets its subscribe connections sent through shortened send tails (SendTail).
  uint64_t sendTailPackets() const;
  uint64_t receiveChainPackets() const;
  // Datagrams its connections read on their ICE agents' threads (NiceReceive).
  NiceReceive::Counts agentReadPackets() const;
  void recalculateLatency();

  // Recording (RoomRecording): every track published now and later goes to disk until stop.
  bool startRecording(const std::string& recordingsDir, const std::string& recording,
                      const std::string& owner, std::string* error);
  // Stops it and tells the control node that started it (bus event recording.stopped).
  std::optional<RoomRecording::Summary> stopRecording(const char* reason);
  RoomRecording* recording() { return recording_.get(); }
  // After addPeer: the name recordings give the peer's tracks and join event.
  void peerJoined(const std::string& peer, const std::string& name);

  // From the connections (main context).
  void emit(const std::string& owner, const char* event, JsonObjectPtr data);
  void onTrackPublished(const std::string& publisher, const std::shared_ptr<TrackForwarder>& t);
  // A publisher ended one track (a re-offer made its m-line inactive).
  void onTrackEnded(const std::string& publisher, const std::shared_ptr<TrackForwarder>& t);
  // Later on the main context: emits peer.failed and removes the peer (if still there).
  void schedulePeerFailure(const std::string& peer, std::string reason);

 private:
  // ERROR, WARNING and LATENCY from the pipeline, on the main context (BusRelay).
  void onBusMessage(GstMessage* message);
  void handleError(GstMessage* message);
  Participant* ownerOf(GstObject* src);
  void emitTrack(const char* event, const Participant& publisher, const TrackForwarder& t);

  std::string id_;
  IceSettings ice_;
  EmitFn emit_;
  GstElementPtr pipeline_;
  std::map<std::string, std::unique_ptr<Participant>> participants_;
  std::map<std::string, std::string> names_;
  std::unique_ptr<RoomRecording> recording_;
};

}  // namespace carrel::sfu
