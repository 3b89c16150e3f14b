// Decodes one captured track file on its own (depayloader + decoder, no render) and counts
// what comes out: how the tests, and `carrel-render --probe-track`, check that a capture is
// usable, including one cut short by a crash.
#pragma once

#include <cstdint>
#include <string>

namespace carrel::recorder {

struct TrackProbeResult {
  bool ok = false;
  std::string error;
  std::string encoding;
  uint64_t packets = 0;
  uint64_t frames = 0;  // decoded video frames or audio buffers
  bool truncated = false;
  int64_t firstFrameUs = 0;  // wall clock (the SFU's) of the first and last decoded frame
  int64_t lastFrameUs = 0;
};

class TrackProbe {
 public:
  static TrackProbeResult decode(const std::string& path, int timeoutSeconds = 120);
};

}  // namespace carrel::recorder
