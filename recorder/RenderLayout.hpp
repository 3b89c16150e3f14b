// Where each video track goes in the rendered picture: the first screen share large on the
// left with every other video (cameras, further screens) in a strip on the right; without a
// screen share, the cameras as an even grid. Pure arithmetic, unit-tested.
#pragma once

#include <string>
#include <vector>

namespace carrel::recorder {

struct Rect {
  int x = 0;
  int y = 0;
  int w = 0;
  int h = 0;
};

class RenderLayout {
 public:
  // kinds: "camera" or "screen", one per video track; returns one rectangle each, in order.
  static std::vector<Rect> compute(int width, int height, const std::vector<std::string>& kinds);
};

}  // namespace carrel::recorder
