// What an uploaded file is, judged from its bytes alone (never from the client's name or
// Content-Type): fed the file chunk by chunk as it streams in, it keeps the first bytes for
// the magic numbers and checks, across chunk boundaries, whether the whole is UTF-8 text.
// Only the allow-list below is ever named; anything else is refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace carrel::control {

class ContentSniffer {
 public:
  void feed(const char* data, size_t size);
  // The MIME type when the content is one Carrel accepts: application/pdf, image/png,
  // image/jpeg, image/gif, image/webp, or text/plain; charset=utf-8 (UTF-8 without control
  // characters other than tab, CR, LF and FF).
  std::optional<std::string> type() const;

 private:
  static constexpr size_t kHead = 16;
  std::string head_;
  std::string pending_;  // the start of a UTF-8 sequence cut by the chunk's end
  bool text_ = true;
  size_t size_ = 0;
};

}  // namespace carrel::control
