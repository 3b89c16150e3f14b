// A participant's publish connection: the client offers its tracks, the SFU answers
// (receive only), and every track that arrives gets a TrackForwarder (a tee).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "Bus.hpp"
#include "TrackForwarder.hpp"
#include "WebrtcConnection.hpp"

namespace carrel::sfu {

class PublishConnection : public WebrtcConnection {
 public:
  PublishConnection(PeerContext ctx, GstElement* pipeline)
      : WebrtcConnection(std::move(ctx), "publish", pipeline) {}
  ~PublishConnection() override;

  // Applies the offer (the first or a re-offer) and answers with {"sdp": answer} (or bad_sdp)
  // through responder. sources maps a mid to "camera", "microphone" or "screen"; unlisted
  // m-lines are camera/microphone. An m-line the offer makes inactive (or rejects) ends its
  // track.
  void applyOffer(GstSdpMessagePtr offer, std::map<std::string, std::string> sources,
                  std::shared_ptr<BusResponder> responder);
  bool readyForCandidates() const override { return offerSeen_; }
  bool owns(GstElement* element) const override;
  void stop() override;

  // What pad-added (streaming threads) may touch.
  struct PadState;

  // The live tracks (ended ones are not listed).
  const std::map<std::string, std::shared_ptr<TrackForwarder>>& tracks() const { return tracks_; }

 private:
  void configure() override;
  static void onPadAdded(GstElement* webrtc, GstPad* pad, gpointer data);
  void trackReady(std::shared_ptr<TrackForwarder> track);
  void endTrack(const std::string& trackId);
  // A receive-only rtpsession plans its RTCP for 64 kbit/s (it estimates the session's
  // bandwidth from what it sends, nothing), so it reports every ~0.5 s and, by RFC 4585's
  // rules, may send early feedback only once per report interval: the NACKs asked for a lost
  // packet expired before they could go out, and the uplink's losses were never repaired
  // (PublisherLegMedia). Planned for a camera's rate instead, it reports every ~60 ms and
  // NACKs go out in time, for ~1 % of the stream's bandwidth. True when a session was there.
  bool planFeedbackBandwidth();
  static constexpr double kPublishBandwidth = 500'000;  // bit/s
  bool feedbackPlanned_ = false;

  bool offerSeen_ = false;  // an offer was handed to webrtcbin (candidates may follow)
  bool applied_ = false;    // an offer was applied successfully
  std::map<std::string, std::shared_ptr<TrackForwarder>> tracks_;
  // Ended tracks keep their tee linked to the publisher's pad until the connection stops.
  std::vector<std::shared_ptr<TrackForwarder>> ended_;
  std::set<std::string> endedMids_;
  std::shared_ptr<PadState> pads_;
};

}  // namespace carrel::sfu
