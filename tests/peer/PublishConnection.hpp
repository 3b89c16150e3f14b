// The publish connection: a synthetic camera (VP8) and microphone (Opus) into a webrtcbin
// that offers; the SFU answers. Keyframes come only when asked for (PLI/FIR from the SFU
// become force-key-unit events the encoder answers) or every 300 frames.
#pragma once

#include <atomic>
#include <cstdint>

#include "WebRtcConnection.hpp"

namespace carrel::peer {

class PublishConnection : public WebRtcConnection {
 public:
  // offer runs on the main thread with the local description's SDP.
  PublishConnection(const PeerOptions& options, const NetworkFilter& filter, Handlers handlers,
                    std::function<void(const std::string& sdp)> offer);
  ~PublishConnection() override { stop(); }

  bool start(std::string* error);
  // Main thread.
  void applyAnswer(const std::string& sdp);

  uint64_t videoFrames() const { return videoFrames_.load(); }
  uint64_t audioBuffers() const { return audioBuffers_.load(); }

 private:
  bool addVideo(std::string* error);
  bool addAudio(std::string* error);
  // Links a chain to a new webrtcbin sink pad through a capsfilter of `caps`; the
  // transceiver offers `caps` plus `negotiationFields` (rtcp-fb and the like).
  bool linkToWebrtc(GstElement* chain, const std::string& caps,
                    const std::string& negotiationFields, std::string* error);
  static void countBuffers(GstElement* element, std::atomic<uint64_t>* counter);
  static void onNegotiationNeeded(GstElement* webrtc, gpointer self);
  void onOfferCreated(const GstStructure* reply);

  std::function<void(const std::string&)> offer_;
  std::atomic<bool> offered_{false};
  bool answered_ = false;
  std::atomic<uint64_t> videoFrames_{0};
  std::atomic<uint64_t> audioBuffers_{0};
};

}  // namespace carrel::peer
