// How carrel-render reports progress: JSON lines for carrel-control (one object per line,
// flushed), or a bar redrawn in place when stdout is a terminal.
//   {"event":"progress","percent":42.5,"position_ms":4250,"duration_ms":10000,"eta_s":3.1}
//   {"event":"done","file":"…/render.webm","duration_ms":10000,"bytes":123456,"elapsed_s":7.2}
//   {"event":"error","message":"…"}
#pragma once

#include <cstdint>
#include <string>

namespace carrel::recorder {

class RenderProgress {
 public:
  explicit RenderProgress(bool terminal) : terminal_(terminal) {}

  void update(double fraction, int64_t positionMs, int64_t durationMs);
  void done(const std::string& file, int64_t durationMs, uint64_t bytes);
  void failed(const std::string& message);
  // Seconds left at this rate, from the elapsed time and the share done; -1 while unknown.
  static double eta(double elapsedS, double fraction);

 private:
  double elapsed() const;

  bool terminal_;
  int64_t startUs_ = 0;
  int lastPermille_ = -1;
};

}  // namespace carrel::recorder
