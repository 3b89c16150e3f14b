#include "RateLimiter.hpp"

namespace carrel::control {

namespace {
constexpr int64_t kPruneEveryMs = 60 * 1000;
}

int64_t RateLimiter::take(const std::string& key, int64_t nowMs) {
  if (nowMs - lastPrune_ >= kPruneEveryMs) prune(nowMs);
  auto it = buckets_.try_emplace(key, rate_, burst_, nowMs).first;
  return it->second.take(nowMs);
}

void RateLimiter::prune(int64_t nowMs) {
  lastPrune_ = nowMs;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    it = it->second.full(nowMs) ? buckets_.erase(it) : std::next(it);
  }
}

}  // namespace carrel::control
