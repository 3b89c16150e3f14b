#include "SequenceGaps.hpp"

#include <algorithm>

namespace carrel::sfu {

namespace {
// Distance from a to b in sequence-number space, -32768..32767.
int distance(uint16_t a, uint16_t b) {
  return static_cast<int16_t>(static_cast<uint16_t>(b - a));
}
// More than this many missing at once is a burst no retransmission will repair in time.
constexpr size_t kMaxMissing = 512;
}  // namespace

bool SequenceGaps::onPacket(uint16_t seq, int64_t nowMs, std::vector<uint16_t>* nacks) {
  if (!started_) {
    started_ = true;
    highest_ = seq;
    seen_.reset();
    seen_[seq % kWindow] = true;
    ++counts_.forwarded;
    return true;
  }
  int d = distance(highest_, seq);
  if (d == 0) {
    ++counts_.duplicates;
    return false;
  }
  if (d > 0) {
    advanceTo(seq, nowMs, nacks);
  } else if (-d < kWindow) {
    if (seen(seq)) {
      ++counts_.duplicates;
      return false;
    }
    seen_[seq % kWindow] = true;
    ++counts_.late;
    filled(seq);
  } else {
    // Far behind: the sender started over. Follow it rather than drop it all.
    missing_.clear();
    highest_ = seq;
    seen_.reset();
    seen_[seq % kWindow] = true;
  }
  retry(nowMs, nacks);
  ++counts_.forwarded;
  return true;
}

void SequenceGaps::advanceTo(uint16_t seq, int64_t nowMs, std::vector<uint16_t>* nacks) {
  int gap = distance(highest_, seq) - 1;
  if (gap > settings_.maxGap || gap >= kWindow) {
    missing_.clear();
    seen_.reset();
  } else {
    for (int i = 1; i <= gap; ++i) {
      auto s = static_cast<uint16_t>(highest_ + i);
      seen_[s % kWindow] = false;
      if (missing_.size() >= kMaxMissing) {
        ++counts_.lost;
        missing_.pop_front();
      }
      missing_.push_back({s, nowMs, nowMs, 1});
      ++counts_.requests;
      if (nacks) nacks->push_back(s);
    }
  }
  // Numbers that fall out of the window behind the new highest cannot be asked for any more.
  while (!missing_.empty() && distance(missing_.front().seq, seq) >= kWindow) {
    ++counts_.lost;
    missing_.pop_front();
  }
  highest_ = seq;
  seen_[seq % kWindow] = true;
}

void SequenceGaps::filled(uint16_t seq) {
  auto it = std::find_if(missing_.begin(), missing_.end(),
                         [seq](const Missing& m) { return m.seq == seq; });
  if (it == missing_.end()) return;
  ++counts_.recovered;
  missing_.erase(it);
}

void SequenceGaps::retry(int64_t nowMs, std::vector<uint16_t>* nacks) {
  while (!missing_.empty() && nowMs - missing_.front().firstMs >= settings_.giveUpAfterMs) {
    ++counts_.lost;
    missing_.pop_front();
  }
  for (Missing& m : missing_) {
    if (m.asked >= settings_.maxRequests || nowMs - m.lastAskedMs < settings_.retryAfterMs) {
      continue;
    }
    ++m.asked;
    m.lastAskedMs = nowMs;
    ++counts_.requests;
    if (nacks) nacks->push_back(m.seq);
  }
}

}  // namespace carrel::sfu
