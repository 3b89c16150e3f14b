// What one subscriber receives on one m-line, counted on webrtcbin's src pad (after SRTP and
// the jitterbuffer, before anything depayloads): packets, bytes, sequence span for loss,
// and the longest silence for frozen-stream detection. Streaming thread writes, main reads.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace carrel::bench {

class StreamStats {
 public:
  struct Snapshot {
    uint64_t packets = 0, bytes = 0;
    int64_t extendedSeqSpan = 0;  // highest minus lowest extended sequence number, plus one
    int64_t maxGapUs = 0;         // since the last resetGap
    int64_t lastUs = 0;
    int64_t firstUs = 0;
  };
  StreamStats(std::string subscriber, std::string mid, bool video)
      : subscriber_(std::move(subscriber)), mid_(std::move(mid)), video_(video) {}

  void onPacket(GstBuffer* rtp, int64_t nowUs);
  void resetGap();
  Snapshot snapshot() const;
  bool video() const { return video_; }
  const std::string& subscriber() const { return subscriber_; }
  const std::string& mid() const { return mid_; }

 private:
  std::string subscriber_, mid_;
  bool video_;
  mutable std::mutex mu_;
  Snapshot s_;
  bool haveSeq_ = false;
  int64_t firstExt_ = 0, maxExt_ = 0, lastExt_ = 0;
};

}  // namespace carrel::bench
