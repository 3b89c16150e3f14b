// carrel-render's work: composes a session folder's captured tracks into one WebM (VP8 +
// Opus) with GStreamer's compositor and audiomixer. Every track is placed on the session's
// timeline (TrackSource), so tracks that start late or stop early show up when they did; a
// black picture and silence as long as the session set the file's length. It only reads
// the captured tracks and writes <output>.part, renamed to <output> when complete, so a
// failed or killed render leaves the session as it was and can simply run again.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "SessionManifest.hpp"

namespace carrel::recorder {

struct RenderOptions {
  std::string folder;
  std::string output;  // default <folder>/render.webm
  int width = 1280;
  int height = 720;
  int fps = 25;
  int videoKbps = 0;  // 0: from the picture size
};

class Renderer {
 public:
  // Called about four times a second with the share done (0..1) and the position rendered.
  std::function<void(double fraction, int64_t positionMs, int64_t durationMs)> onProgress;

  // Blocks until the file is complete. False and why otherwise (the .part is removed).
  bool run(const RenderOptions& options, std::string* error);

  int64_t durationMs() const { return durationMs_; }
  const std::string& output() const { return output_; }
  int videoTracks() const { return videoTracks_; }
  int audioTracks() const { return audioTracks_; }

 private:
  int64_t durationMs_ = 0;
  std::string output_;
  int videoTracks_ = 0;
  int audioTracks_ = 0;
};

}  // namespace carrel::recorder
