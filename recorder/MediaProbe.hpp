// Decodes a media file end to end with GStreamer (decodebin) and reports what it held: the
// check the tests and `carrel-render --probe` use for a rendered recording.
#pragma once

#include <cstdint>
#include <string>

namespace carrel::recorder {

struct MediaProbeResult {
  bool ok = false;
  std::string error;
  uint64_t videoFrames = 0;
  uint64_t audioBuffers = 0;
  int64_t videoEndMs = 0;  // end of the last decoded frame
  int64_t audioEndMs = 0;
  int width = 0;
  int height = 0;
};

class MediaProbe {
 public:
  static MediaProbeResult decodeFile(const std::string& path, int timeoutSeconds = 120);
  // Seeks a media file to positionMs (accurately: from the keyframe before it) and returns the
  // time of the first video frame decoded there, in ms; -1 and why when none came.
  static int64_t frameAfterSeek(const std::string& path, int64_t positionMs, std::string* error,
                                int timeoutSeconds = 60);
};

}  // namespace carrel::recorder
