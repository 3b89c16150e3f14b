#include "RenderLayout.hpp"

#include <algorithm>
#include <cmath>

namespace carrel::recorder {

namespace {
int even(int v) {
  return v & ~1;
}
}  // namespace

std::vector<Rect> RenderLayout::compute(int width, int height,
                                        const std::vector<std::string>& kinds) {
  std::vector<Rect> out(kinds.size());
  if (kinds.empty() || width <= 0 || height <= 0) return out;
  auto screen = std::find(kinds.begin(), kinds.end(), "screen");
  if (screen != kinds.end()) {
    size_t main = static_cast<size_t>(screen - kinds.begin());
    size_t others = kinds.size() - 1;
    int mainW = others ? even(width * 3 / 4) : width;
    out[main] = {0, 0, mainW, height};
    if (!others) return out;
    int stripW = width - mainW;
    int tileH = even(std::min(stripW * 9 / 16, height / static_cast<int>(others)));
    int top = even((height - tileH * static_cast<int>(others)) / 2);
    int row = 0;
    for (size_t i = 0; i < kinds.size(); ++i) {
      if (i == main) continue;
      out[i] = {mainW, top + row * tileH, stripW, tileH};
      ++row;
    }
    return out;
  }
  int n = static_cast<int>(kinds.size());
  int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  int rows = (n + cols - 1) / cols;
  int tileW = even(width / cols);
  int tileH = even(height / rows);
  for (int i = 0; i < n; ++i) {
    out[static_cast<size_t>(i)] = {(i % cols) * tileW, (i / cols) * tileH, tileW, tileH};
  }
  return out;
}

}  // namespace carrel::recorder
