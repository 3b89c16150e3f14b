#include "IntervalUnion.hpp"

#include <algorithm>

namespace carrel::control {

std::vector<Span> IntervalUnion::of(std::vector<Span> spans) {
  std::erase_if(spans, [](const Span& s) { return s.toMs <= s.fromMs; });
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.fromMs < b.fromMs; });
  std::vector<Span> out;
  for (const Span& s : spans) {
    if (!out.empty() && s.fromMs <= out.back().toMs) {
      out.back().toMs = std::max(out.back().toMs, s.toMs);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

int64_t IntervalUnion::totalMs(const std::vector<Span>& spans) {
  int64_t sum = 0;
  for (const Span& s : of(spans)) sum += s.toMs - s.fromMs;
  return sum;
}

}  // namespace carrel::control
