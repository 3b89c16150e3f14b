// Hands work from GStreamer's threads (webrtcbin's :pc thread, ICE and streaming threads)
// to the main context, where libsoup and the output live.
#pragma once

#include <functional>

namespace carrel::peer {

class MainThread {
 public:
  // Always deferred to a later iteration of the default main context, even when called
  // from the main thread, so callers never re-enter themselves.
  static void post(std::function<void()> fn);
};

}  // namespace carrel::peer
