// The publish connection: a synthetic camera (VP8) and microphone (Opus) into a webrtcbin
// that offers; the SFU answers. Keyframes come only when asked for (PLI/FIR from the SFU
// become force-key-unit events the encoder answers) or every 300 frames.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "SendLoss.hpp"
#include "WebRtcConnection.hpp"

namespace carrel::peer {

class PublishConnection : public WebRtcConnection {
 public:
  // offer runs on the main thread with the local description's SDP and the mids of its screen
  // m-lines (what publish_offer's tracks marks as "screen").
  using OfferFn =
      std::function<void(const std::string& sdp, const std::vector<std::string>& screens)>;
  PublishConnection(const PeerOptions& options, const NetworkFilter& filter, Handlers handlers,
                    OfferFn offer);
  ~PublishConnection() override { stop(); }

  bool start(std::string* error);
  // Main thread.
  void applyAnswer(const std::string& sdp);

  // Main thread: a screen share (a new send-only m-line, then a re-offer), and its end (the
  // m-line made inactive, then a re-offer). A later share is a new m-line again.
  bool startScreen(std::string* error);
  void stopScreen();
  bool sharingScreen() const { return screenValve_ != nullptr; }

  uint64_t videoFrames() const { return videoFrames_.load(); }
  uint64_t screenFrames() const { return screenFrames_.load(); }
  uint64_t audioBuffers() const { return audioBuffers_.load(); }
  // Keyframe requests (PLI/FIR as webrtcbin turns them into force-key-unit events) that
  // reached the camera's encoder.
  uint64_t videoKeyframeRequests() const { return videoKeyframeRequests_.load(); }
  // Video packets --send-drop-percent dropped.
  uint64_t droppedVideoPackets() const { return loss_ ? loss_->dropped() : 0; }

 private:
  bool addVideo(std::string* error);
  bool addAudio(std::string* error);
  // Links a chain to a new webrtcbin sink pad through a capsfilter of `caps`; the
  // transceiver offers `caps` plus `negotiationFields` (rtcp-fb and the like).
  bool linkToWebrtc(GstElement* chain, const std::string& caps,
                    const std::string& negotiationFields, std::string* error,
                    GstWebRTCRTPTransceiver** transOut = nullptr);
  static void countBuffers(GstElement* element, std::atomic<uint64_t>* counter);
  static void countKeyframeRequests(GstElement* encoder, std::atomic<uint64_t>* counter);
  static void onNegotiationNeeded(GstElement* webrtc, gpointer self);
  // Main thread: one offer at a time; a change while one waits for its answer offers again
  // after it.
  void makeOffer();
  void onOfferCreated(const GstStructure* reply);
  std::vector<std::string> screenMids(const std::string& sdp) const;

  OfferFn offer_;
  std::unique_ptr<SendLoss> loss_;
  std::atomic<bool> offered_{false};
  bool inFlight_ = false;
  bool again_ = false;
  std::vector<guint32> screenSsrcs_;
  GstElement* screenValve_ = nullptr;  // owned by the pipeline
  GstPtr<GstWebRTCRTPTransceiver> screenTrans_;
  std::atomic<uint64_t> screenFrames_{0};
  std::atomic<uint64_t> videoFrames_{0};
  std::atomic<uint64_t> videoKeyframeRequests_{0};
  std::atomic<uint64_t> audioBuffers_{0};
};

}  // namespace carrel::peer
