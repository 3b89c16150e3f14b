// A participant's publish connection: the client offers its tracks, the SFU answers
// (receive only), and every track that arrives gets a TrackForwarder (a tee).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "Bus.hpp"
#include "TrackForwarder.hpp"
#include "WebrtcConnection.hpp"

namespace carrel::sfu {

class PublishConnection : public WebrtcConnection {
 public:
  PublishConnection(PeerContext ctx, GstElement* pipeline)
      : WebrtcConnection(std::move(ctx), "publish", pipeline) {}
  ~PublishConnection() override;

  // Applies the offer and answers with {"sdp": answer} (or bad_sdp) through responder.
  void applyOffer(GstSdpMessagePtr offer, std::shared_ptr<BusResponder> responder);
  bool readyForCandidates() const override { return offerSeen_; }
  bool owns(GstElement* element) const override;
  void stop() override;

  const std::map<std::string, std::shared_ptr<TrackForwarder>>& tracks() const { return tracks_; }

 private:
  void configure() override;
  static void onPadAdded(GstElement* webrtc, GstPad* pad, gpointer data);
  void trackReady(std::shared_ptr<TrackForwarder> track);

  struct PadState;
  bool offerSeen_ = false;  // an offer was handed to webrtcbin (candidates may follow)
  bool applied_ = false;    // an offer was applied successfully
  std::map<std::string, std::shared_ptr<TrackForwarder>> tracks_;
};

}  // namespace carrel::sfu
