#include "StreamStats.hpp"

#include <gst/rtp/gstrtpbuffer.h>

#include <algorithm>

namespace carrel::bench {

void StreamStats::onPacket(GstBuffer* buf, int64_t nowUs) {
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  int seq = -1;
  if (gst_rtp_buffer_map(buf, GST_MAP_READ, &rtp)) {
    seq = gst_rtp_buffer_get_seq(&rtp);
    gst_rtp_buffer_unmap(&rtp);
  }
  std::lock_guard lock(mu_);
  ++s_.packets;
  s_.bytes += gst_buffer_get_size(buf);
  if (s_.firstUs == 0) s_.firstUs = nowUs;
  if (s_.lastUs) s_.maxGapUs = std::max(s_.maxGapUs, nowUs - s_.lastUs);
  s_.lastUs = nowUs;
  if (seq < 0) return;
  if (!haveSeq_) {
    haveSeq_ = true;
    firstExt_ = maxExt_ = lastExt_ = seq;
  } else {
    // Unwrap relative to the last packet: a jump of less than half the space either way.
    int64_t delta = static_cast<int16_t>(static_cast<uint16_t>(seq - (lastExt_ & 0xFFFF)));
    lastExt_ += delta;
    maxExt_ = std::max(maxExt_, lastExt_);
    firstExt_ = std::min(firstExt_, lastExt_);
  }
  s_.extendedSeqSpan = maxExt_ - firstExt_ + 1;
}

void StreamStats::resetGap() {
  std::lock_guard lock(mu_);
  s_.maxGapUs = 0;
}

StreamStats::Snapshot StreamStats::snapshot() const {
  std::lock_guard lock(mu_);
  return s_;
}

}  // namespace carrel::bench
