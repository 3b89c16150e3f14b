// The one HTTP Range form browsers send for media: "bytes=first-last", "bytes=first-",
// "bytes=-suffix" (RFC 9110 §14.1.2). Several ranges are answered as the whole file (allowed:
// a server may ignore Range), a malformed header likewise; a range past the end is 416.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace carrel::control {

struct ByteRange {
  enum class Kind { Whole, Partial, Unsatisfiable };
  Kind kind = Kind::Whole;
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive

  // header: the Range value or "" when absent; size: the file's size.
  static ByteRange parse(const std::string& header, uint64_t size);
  uint64_t length() const { return last - first + 1; }
  // "bytes first-last/size" (206) or "bytes */size" (416).
  std::string contentRange(uint64_t size) const;
};

}  // namespace carrel::control
