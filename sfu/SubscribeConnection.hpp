// A participant's subscribe connection: the SFU offers every other participant's tracks
// (send only) and offers again when tracks come and go. One offer at a time: a change while
// an offer waits for its answer is offered after the answer.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "Bus.hpp"
#include "GPtr.hpp"
#include "RtpRewriter.hpp"
#include "SendCombiner.hpp"
#include "TrackForwarder.hpp"
#include "WebrtcConnection.hpp"

namespace carrel::sfu {

class SubscribeConnection : public WebrtcConnection {
 public:
  SubscribeConnection(PeerContext ctx, GstElement* pipeline)
      : WebrtcConnection(std::move(ctx), "subscribe", pipeline) {}
  ~SubscribeConnection() override;

  // A publisher's track: {publisher, track id}.
  using TrackKey = std::pair<std::string, std::string>;

  // Every microphone is wanted; video is wanted in "all" mode (the default) or when selected.
  bool wants(const std::string& publisherId, const TrackForwarder& track) const;
  void setAllVideo(bool all) { allVideo_ = all; }
  // Switches to "selected" mode with this set of video tracks (the Room adds and removes the
  // branches).
  void setSelection(std::set<TrackKey> selected);
  // Video tracks forwarded now.
  std::vector<TrackKey> videoTracks() const;
  bool has(const std::string& publisherId, const std::string& trackId) const;

  // Adds a branch from the track's tee to a free slot of its kind (an m-line a publisher
  // left) or else to a new sendonly transceiver, and renegotiates.
  void addTrack(const std::string& publisherId, const std::shared_ptr<TrackForwarder>& track);
  // Unlinks every branch of that publisher; their slots go quiet and free for the next track
  // of the same kind (webrtcbin 1.22 cannot stop a transceiver). Renegotiates.
  void removeTracksOf(const std::string& publisherId);
  // The same for one track (it left the selection or its publisher ended it).
  void removeTrack(const std::string& publisherId, const std::string& trackId);
  void applyAnswer(GstSdpMessagePtr answer, std::shared_ptr<BusResponder> responder);

  bool readyForCandidates() const override { return offered_; }
  void stop() override;
  // Tracks subscribed (free slots not counted), and m-lines ever created.
  size_t trackCount() const;
  // Video branches linked to a tee now: what this connection forwards.
  size_t videoTrackCount() const;
  size_t slotCount() const { return slots_.size(); }
  // What each busy m-line carries now, for stats (StatsCollector).
  struct Forwarded {
    std::string publisher;
    std::string track;
    std::string kind;
    guint ssrc = 0;  // the m-line's SSRC as the subscriber sees it
  };
  std::vector<Forwarded> forwarded() const;

 private:
  struct Slot {
    std::string publisher;
    std::string track;
    std::string kind;
    std::string source;
    std::weak_ptr<TrackForwarder> forwarder;
    // Linked straight into webrtcbin (no queue, no thread of its own): only once the pad is
    // negotiated and the connection's DTLS is up, since until then webrtcbin blocks the pad
    // and the block would stall the publisher's streaming thread, i.e. every subscriber.
    GstPadPtr teeSrc;
    std::shared_ptr<RtpRewriter> rewriter;  // the slot's stream, across publishers
    GstPadPtr sinkPad;
    GObjectPtr<GstWebRTCRTPTransceiver> transceiver;
    guint ssrc = 0;           // the first publisher's; the m-line's SSRC for good (RtpRewriter)
    bool negotiated = false;  // its answer is in and its keyframe was asked for since
    bool inOffer = false;     // its m-line is in the offer waiting for an answer
    bool padReady = false;    // an answer covering its m-line was applied: the pad flows
    bool free = false;        // no publisher: quiet, waiting for the next track of its kind
  };

  void configure() override;
  void onConnectionState(GstWebRTCPeerConnectionState state) override;
  std::string whyNotConnected() const override;
  // A re-offer after the connection was up must be answered within the connect timeout too:
  // otherwise the subscriber waits for ever and gets no new tracks (the first offer is
  // covered by the connect timeout).
  void expectAnswer();
  // A branch's fuse blew (BranchFuse): this subscriber's webrtcbin failed.
  void branchFailed(GstFlowReturn flow);
  void scheduleNegotiation();
  void negotiate();
  void offerCreated(GstWebRTCSessionDescription* offer);
  // [{mid, peer, track, kind}] for the sendonly m-lines of an offer, matched by SSRC: 1.22
  // sets a transceiver's mid only once the answer is applied.
  JsonArrayPtr describeTracks(const GstSDPMessage* offer);
  void emitOffer(const std::string& sdp, JsonArrayPtr tracks);
  void releaseSlot(Slot& slot);
  // Unlinks the slot from its tee; it goes quiet and free for the next track of its kind.
  void vacate(Slot& slot);
  bool linkToTee(Slot& slot, const std::shared_ptr<TrackForwarder>& track);
  // Links the slot to its track's tee when it can flow (see Slot::teeSrc).
  bool tryLink(Slot& slot);  // true when it linked the slot now
  static bool linkWhileTeeIdle(GstElement* tee, GstPad* teeSrc, GstPad* sinkPad);
  void unlinkFromTee(Slot& slot);
  Slot* freeSlot(const std::string& kind);
  void requestKeyframesForNewlyNegotiated();

  std::vector<std::unique_ptr<Slot>> slots_;
  // Shared by the branches' fuses (packets queued in it may outlive a branch); null with
  // --direct-subscriber-send.
  std::shared_ptr<SendCombiner> combiner_;
  bool offered_ = false;         // a local description exists
  bool creating_ = false;        // create-offer / set-local-description in flight
  bool awaitingAnswer_ = false;  // the last offer has not been answered yet
  bool dirty_ = false;           // tracks changed since the last offer
  bool allVideo_ = true;
  bool connected_ = false;  // DTLS up: packets can be sent
  std::set<TrackKey> selected_;
  TimeoutSource idle_;
  TimeoutSource answerTimer_;
  bool everAnswered_ = false;
};

}  // namespace carrel::sfu
