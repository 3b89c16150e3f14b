// The subscribe connection: the SFU offers everyone else's tracks, this webrtcbin answers,
// and every later offer renegotiates it. Each incoming pad is attributed to a track through
// its transceiver's mid and the offers' track lists; packets (and in decode mode decoded
// frames) are counted in the TrackTable.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "ReceiveLoss.hpp"
#include "TrackTable.hpp"
#include "WebRtcConnection.hpp"

namespace carrel::peer {

class SubscribeConnection : public WebRtcConnection {
 public:
  struct Events {
    std::function<void(const std::string& sdp)> answer;
    std::function<void(const TrackSnapshot&)> trackFlowing;  // first packet of a track
    std::function<void(const TrackSnapshot&)> trackEnded;
  };

  SubscribeConnection(const PeerOptions& options, const NetworkFilter& filter, TrackTable& tracks,
                      Handlers handlers, Events events);
  ~SubscribeConnection() override { stop(); }

  bool start(std::string* error);
  // Main thread. Offers are answered one at a time, in order.
  void applyOffer(const std::string& sdp, std::vector<TrackInfo> tracks);
  // Induced loss (--drop-percent) and the retransmissions that answered it.
  ReceiveLoss::Counts lossCounts() const { return loss_ ? loss_->counts() : ReceiveLoss::Counts{}; }

 private:
  struct Offer {
    std::string sdp;
    std::vector<TrackInfo> tracks;
  };
  void next();
  void onRemoteSet(const std::string& error);
  void onAnswerCreated(const GstStructure* reply);
  void answered(const std::string& sdp, const std::string& error);
  static void onPadAdded(GstElement*, GstPad* pad, gpointer self);
  static void onPadRemoved(GstElement*, GstPad* pad, gpointer self);
  void linkPad(GstPad* pad);
  GstElement* makeSink(GstElement* bin, GstPad* pad, const std::string& encoding,
                       const std::string& mid);

  TrackTable& tracks_;
  Events events_;
  std::deque<Offer> queue_;
  // The receiving chain of each webrtcbin src pad, removed with the pad (a long run with
  // people coming and going would otherwise keep every idle chain).
  std::mutex chainsMu_;
  std::map<GstPad*, GstElement*> chains_;
  bool busy_ = false;
  std::unique_ptr<ReceiveLoss> loss_;
};

}  // namespace carrel::peer
