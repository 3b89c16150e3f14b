#include "ByteRange.hpp"

#include <cctype>

namespace carrel::control {

namespace {
// Digits only, no sign, no overflow; nullopt otherwise.
std::optional<uint64_t> number(const std::string& s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}
}  // namespace

ByteRange ByteRange::parse(const std::string& header, uint64_t size) {
  ByteRange whole;
  whole.kind = Kind::Whole;
  whole.first = 0;
  whole.last = size ? size - 1 : 0;
  const std::string prefix = "bytes=";
  if (header.compare(0, prefix.size(), prefix) != 0) return whole;
  std::string spec = header.substr(prefix.size());
  while (!spec.empty() && spec.back() == ' ') spec.pop_back();
  if (spec.find(',') != std::string::npos) return whole;
  auto dash = spec.find('-');
  if (dash == std::string::npos) return whole;
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  ByteRange r;
  r.kind = Kind::Partial;
  if (a.empty()) {  // the last b bytes
    auto n = number(b);
    if (!n) return whole;
    if (*n == 0 || size == 0) return ByteRange{Kind::Unsatisfiable, 0, 0};
    r.first = *n >= size ? 0 : size - *n;
    r.last = size - 1;
    return r;
  }
  auto first = number(a);
  if (!first) return whole;
  if (*first >= size) return ByteRange{Kind::Unsatisfiable, 0, 0};
  r.first = *first;
  if (b.empty()) {
    r.last = size - 1;
  } else {
    auto last = number(b);
    if (!last || *last < *first) return whole;
    r.last = *last >= size ? size - 1 : *last;
  }
  return r;
}

std::string ByteRange::contentRange(uint64_t size) const {
  if (kind == Kind::Unsatisfiable) return "bytes */" + std::to_string(size);
  return "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size);
}

}  // namespace carrel::control
