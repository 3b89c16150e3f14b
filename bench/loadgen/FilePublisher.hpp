// A publish connection that sends a pre-encoded clip in a loop, paced by the Pacer: VP8
// video and (unless options.audio is off) Opus audio through appsrc, payloaded, into a webrtcbin
// that offers. A keyframe request (PLI/FIR from the server) restarts the video at the clip's last
// keyframe, the way a camera's encoder answers one with a fresh keyframe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "Clip.hpp"
#include "LatencyBook.hpp"
#include "WebRtcConnection.hpp"

namespace carrel::bench {

class FilePublisher : public peer::WebRtcConnection {
 public:
  FilePublisher(const Clip& clip, LatencyBook& book, const peer::PeerOptions& options,
                const peer::NetworkFilter& filter, Handlers handlers,
                std::function<void(const std::string& sdp)> offer);

  bool start(std::string* error);
  // Main thread.
  void applyAnswer(const std::string& sdp);
  // The name packets are matched by (the server's id for this publisher).
  void setIdentity(const std::string& id) { tag_ = LatencyBook::tag(id); }
  // Starts or stops sending (sending waits for ICE, or frames would pile up in webrtcbin).
  void setActive(bool active);

  // Pacer thread: pushes every frame that is due by now.
  void tick(int64_t nowUs);

  struct Counters {
    uint64_t framesSent = 0;     // video frames and audio packets pushed on time
    uint64_t framesLate = 0;     // pushed more than kLateUs after their due time
    uint64_t framesDropped = 0;  // skipped: the generator fell too far behind
    uint64_t rtpPackets = 0;     // video and audio RTP packets into webrtcbin
    uint64_t videoRtpPackets = 0;
    uint64_t keyframeRequests = 0;
  };
  Counters counters() const;

  static constexpr int64_t kLateUs = 20'000;
  static constexpr int64_t kDropUs = 200'000;

 private:
  struct Track {
    GstElement* appsrc = nullptr;  // owned by the pipeline
    const std::vector<ClipFrame>* frames = nullptr;
    size_t index = 0;
    int64_t periodUs = 0;
    int64_t dueUs = 0;
  };
  bool addTrack(Track& track, GstCaps* caps, const std::vector<ClipFrame>& frames,
                const std::string& payloader, const std::string& rtpCaps,
                const std::string& negotiationFields, bool video, std::string* error);
  void pushDue(Track& track, int64_t nowUs, bool video);
  static void onNegotiationNeeded(GstElement* webrtc, gpointer self);
  void onOfferCreated(const GstStructure* reply);

  const Clip& clip_;
  LatencyBook& book_;
  std::function<void(const std::string&)> offer_;
  std::atomic<bool> offered_{false};
  bool answered_ = false;
  std::atomic<uint64_t> tag_{0};
  std::atomic<bool> keyframeWanted_{false};
  std::atomic<uint64_t> rtpPackets_{0};
  std::atomic<uint64_t> videoRtpPackets_{0};
  std::atomic<uint64_t> keyframeRequests_{0};
  mutable std::mutex mu_;  // guards the tracks and counters below (main and pacer threads)
  bool active_ = false;
  Track video_;
  Track audio_;
  int64_t lastKeyframeUs_ = 0;
  Counters counters_;
};

}  // namespace carrel::bench
