#include "TokenBucket.hpp"

#include <algorithm>
#include <cmath>

namespace carrel::control {

double TokenBucket::level(int64_t nowMs) const {
  // A clock that went back refills nothing rather than draining the bucket.
  double elapsed = static_cast<double>(std::max<int64_t>(0, nowMs - last_)) / 1000.0;
  return std::min(burst_, tokens_ + elapsed * rate_);
}

int64_t TokenBucket::take(int64_t nowMs) {
  tokens_ = level(nowMs);
  last_ = std::max(last_, nowMs);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return 0;
  }
  if (rate_ <= 0) return INT64_MAX;
  return std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil((1.0 - tokens_) * 1000.0 / rate_ - 1e-6)));
}

bool TokenBucket::full(int64_t nowMs) const {
  return level(nowMs) >= burst_;
}

}  // namespace carrel::control
