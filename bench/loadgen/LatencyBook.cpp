#include "LatencyBook.hpp"

#include <gst/rtp/gstrtpbuffer.h>

#include <algorithm>

namespace carrel::bench {

namespace {
constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;
// Sent entries older than this can no longer be matched (a packet later than this is lost
// for the purpose of latency, and counted by the loss figures instead).
constexpr int64_t kKeepUs = 3'000'000;

uint64_t fnv(const guint8* data, gsize size, uint64_t h) {
  for (gsize i = 0; i < size; ++i) h = (h ^ data[i]) * kFnvPrime;
  return h;
}
}  // namespace

int64_t LatencyBook::nowUs() {
  return g_get_monotonic_time();
}

uint64_t LatencyBook::tag(const std::string& publisher) {
  return fnv(reinterpret_cast<const guint8*>(publisher.data()), publisher.size(), kFnvOffset);
}

uint64_t LatencyBook::key(uint64_t publisherTag, GstBuffer* buf) {
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map(buf, GST_MAP_READ, &rtp)) return 0;
  const auto* payload = static_cast<const guint8*>(gst_rtp_buffer_get_payload(&rtp));
  guint len = gst_rtp_buffer_get_payload_len(&rtp);
  uint64_t h = fnv(payload, len, publisherTag);
  gst_rtp_buffer_unmap(&rtp);
  return h ? h : 1;
}

void LatencyBook::sent(uint64_t key, int64_t tUs) {
  if (!key) return;
  std::lock_guard lock(mu_);
  sent_[key] = tUs;
  if (tUs - lastPurgeUs_ > kKeepUs) {
    lastPurgeUs_ = tUs;
    std::erase_if(sent_, [tUs](const auto& e) { return tUs - e.second > kKeepUs; });
  }
}

void LatencyBook::received(uint64_t key, int64_t tUs) {
  if (!key) return;
  std::lock_guard lock(mu_);
  auto it = sent_.find(key);
  // A payload from an earlier loop of the clip may be overwritten by a newer send time.
  if (it == sent_.end() || tUs < it->second) {
    ++unmatched_;
    return;
  }
  samples_.push_back(tUs - it->second);
}

void LatencyBook::clearSamples() {
  std::lock_guard lock(mu_);
  samples_.clear();
  unmatched_ = 0;
}

std::vector<int64_t> LatencyBook::samples() {
  std::vector<int64_t> out;
  {
    std::lock_guard lock(mu_);
    out = samples_;
  }
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t LatencyBook::unmatched() const {
  std::lock_guard lock(mu_);
  return unmatched_;
}

}  // namespace carrel::bench
