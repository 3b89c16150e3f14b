// One-way delay through a server, matched per packet. A publisher notes when each video
// RTP packet enters its connection; a subscriber looks the same packet up when it leaves
// its connection. Servers may rewrite SSRC, sequence number and timestamp (Janus does), so
// a packet is known by its publisher and a hash of its RTP payload (the VP8 payload
// descriptor carries a per-frame picture id, so payloads differ within a loop of the clip).
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace carrel::bench {

class LatencyBook {
 public:
  static int64_t nowUs();  // monotonic
  // The key of an RTP buffer from `publisher`; 0 when it is not RTP.
  static uint64_t key(uint64_t publisherTag, GstBuffer* rtp);
  static uint64_t tag(const std::string& publisher);

  void sent(uint64_t key, int64_t tUs);
  void received(uint64_t key, int64_t tUs);
  // Starts a new measurement window: forgets the delays collected so far.
  void clearSamples();
  // Delays (µs) matched since the last clearSamples, sorted.
  std::vector<int64_t> samples();
  uint64_t unmatched() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, int64_t> sent_;
  int64_t lastPurgeUs_ = 0;
  std::vector<int64_t> samples_;
  uint64_t unmatched_ = 0;
};

}  // namespace carrel::bench
