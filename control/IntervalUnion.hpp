// The union of time intervals: what two devices of one user studied at once counts once.
#pragma once

#include <cstdint>
#include <vector>

namespace carrel::control {

struct Span {
  int64_t fromMs = 0;
  int64_t toMs = 0;  // exclusive
  bool operator==(const Span&) const = default;
};

class IntervalUnion {
 public:
  // Sorted, disjoint, non-touching spans covering exactly the given ones; empty spans dropped.
  static std::vector<Span> of(std::vector<Span> spans);
  static int64_t totalMs(const std::vector<Span>& spans);
};

}  // namespace carrel::control
