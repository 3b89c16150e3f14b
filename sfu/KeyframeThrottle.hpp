// At most one keyframe request per publisher track per window (500 ms): a burst of PLIs from
// many subscribers, tile switches and joins costs the publisher one keyframe. A request
// inside the window is not lost: the first one there schedules a single request at the
// window's end (the newest requester, e.g. a subscriber whose DTLS just came up, still
// needs a keyframe). Thread-safe: requests come from every subscriber's streaming thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace carrel::sfu {

class KeyframeThrottle {
 public:
  enum class Decision {
    Send,   // pass this request to the publisher
    Defer,  // drop it; schedule one request in *retryInUs (the caller does)
    Drop,   // drop it; one is already scheduled
  };

  explicit KeyframeThrottle(int64_t windowUs) : windowUs_(windowUs) {}

  Decision request(int64_t nowUs, int64_t* retryInUs);
  uint32_t sent() const { return sent_.load(); }

 private:
  const int64_t windowUs_;
  std::atomic<int64_t> lastUs_{INT64_MIN};
  std::atomic<bool> pending_{false};
  std::atomic<uint32_t> sent_{0};
};

}  // namespace carrel::sfu
