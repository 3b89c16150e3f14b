// One token bucket per key (a user id, or a guest's participant id), made on first use and
// forgotten once full again, so the map holds only the recently active.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "TokenBucket.hpp"

namespace carrel::control {

class RateLimiter {
 public:
  RateLimiter(double perSecond, double burst) : rate_(perSecond), burst_(burst) {}

  // 0 when key may act now, else the ms to wait before it may.
  int64_t take(const std::string& key, int64_t nowMs);
  size_t tracked() const { return buckets_.size(); }

 private:
  void prune(int64_t nowMs);
  double rate_;
  double burst_;
  std::map<std::string, TokenBucket> buckets_;
  int64_t lastPrune_ = 0;
};

}  // namespace carrel::control
