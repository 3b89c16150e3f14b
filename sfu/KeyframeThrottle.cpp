#include "KeyframeThrottle.hpp"

namespace carrel::sfu {

KeyframeThrottle::Decision KeyframeThrottle::request(int64_t nowUs, int64_t* retryInUs) {
  int64_t last = lastUs_.load();
  if (last != INT64_MIN && nowUs - last < windowUs_) {
    if (pending_.exchange(true)) return Decision::Drop;
    if (retryInUs) *retryInUs = windowUs_ - (nowUs - last);
    return Decision::Defer;
  }
  // Two threads at the window's edge: one of them sends.
  if (!lastUs_.compare_exchange_strong(last, nowUs)) return Decision::Drop;
  pending_ = false;
  ++sent_;
  return Decision::Send;
}

}  // namespace carrel::sfu
