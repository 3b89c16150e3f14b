// Getting from GStreamer's threads (webrtcbin's :pc thread, ICE and streaming threads) back
// to the main context, where the bus, libsoup and all object state live.
#pragma once

#include <functional>

namespace carrel {

// Runs fn on the default main context, always later (never synchronously, so a caller on
// the main thread never re-enters itself).
void postToMain(std::function<void()> fn);

}  // namespace carrel
