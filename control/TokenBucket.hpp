// A token bucket: up to `burst` actions at once, refilled at `perSecond`. Time is passed in
// (milliseconds, any monotonic origin), so the arithmetic is tested without clocks.
#pragma once

#include <cstdint>

namespace carrel::control {

class TokenBucket {
 public:
  TokenBucket(double perSecond, double burst, int64_t nowMs)
      : rate_(perSecond), burst_(burst), tokens_(burst), last_(nowMs) {}

  // Takes one token: 0 when allowed, else how many ms until one is there (at least 1).
  int64_t take(int64_t nowMs);
  // True when the bucket is full again at nowMs (it can be forgotten).
  bool full(int64_t nowMs) const;

 private:
  double level(int64_t nowMs) const;
  double rate_;
  double burst_;
  double tokens_;
  int64_t last_;
};

}  // namespace carrel::control
