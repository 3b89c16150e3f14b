// What a publisher's RTP sequence numbers say, packet by packet, for a forwarder that keeps
// nothing back: a packet seen before is a duplicate (dropped), a jump forward leaves a gap
// whose packets are asked for again (NACK) a few times, and a packet arriving late fills its
// gap. No timers: overdue requests are repeated, and hopeless ones counted lost, when the
// next packet comes. One instance per SSRC, used from one streaming thread.
#pragma once

#include <bitset>
#include <cstdint>
#include <deque>
#include <vector>

namespace carrel::sfu {

class SequenceGaps {
 public:
  struct Settings {
    int retryAfterMs = 100;  // a missing packet is asked for again this long after
    int maxRequests = 3;     // times one missing packet is asked for
    int giveUpAfterMs = 1000;
    int maxGap = 128;  // a longer jump forward is a new start, not loss (nothing asked)
  };
  struct Counts {
    uint64_t forwarded = 0;
    uint64_t duplicates = 0;
    uint64_t late = 0;       // arrived behind a newer packet (requested or not)
    uint64_t lost = 0;       // asked for and never came
    uint64_t requests = 0;   // NACKs asked for, repeats included
    uint64_t recovered = 0;  // came after being asked for
  };

  SequenceGaps() = default;
  explicit SequenceGaps(Settings s) : settings_(s) {}

  // False: a duplicate, to be dropped. Appends to nacks the sequence numbers to ask for now.
  bool onPacket(uint16_t seq, int64_t nowMs, std::vector<uint16_t>* nacks);
  const Counts& counts() const { return counts_; }
  size_t missing() const { return missing_.size(); }

  // Sequence numbers remembered behind the newest: a packet further behind is taken as the
  // sender starting over (SrtpReplayWindow sizes srtpenc's window from it).
  static constexpr int kWindow = 1024;

 private:
  struct Missing {
    uint16_t seq;
    int64_t firstMs;
    int64_t lastAskedMs;
    int asked;
  };
  void advanceTo(uint16_t seq, int64_t nowMs, std::vector<uint16_t>* nacks);
  void filled(uint16_t seq);
  void retry(int64_t nowMs, std::vector<uint16_t>* nacks);
  bool seen(uint16_t seq) const { return seen_[seq % kWindow]; }

  Settings settings_;
  Counts counts_;
  bool started_ = false;
  uint16_t highest_ = 0;
  std::bitset<kWindow> seen_;    // by seq % kWindow, for the kWindow numbers up to highest_
  std::deque<Missing> missing_;  // oldest first
};

}  // namespace carrel::sfu
