#include "ContentSniffer.hpp"

#include <glib.h>

#include <string_view>

namespace carrel::control {

void ContentSniffer::feed(const char* data, size_t size) {
  size_ += size;
  if (head_.size() < kHead) head_.append(data, std::min(size, kHead - head_.size()));
  if (!text_ || size == 0) return;
  // Text has no control characters but tab, line feeds and form feed.
  for (size_t i = 0; i < size; ++i) {
    unsigned char c = static_cast<unsigned char>(data[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) {
      text_ = false;
      return;
    }
  }
  std::string buf = pending_;
  buf.append(data, size);
  pending_.clear();
  const gchar* end = nullptr;
  if (g_utf8_validate(buf.data(), static_cast<gssize>(buf.size()), &end)) return;
  size_t at = static_cast<size_t>(end - buf.data());
  size_t rest = buf.size() - at;
  // A sequence cut by the chunk boundary (-2: incomplete) waits for the next chunk.
  if (rest < 4 && g_utf8_get_char_validated(end, static_cast<gssize>(rest)) == (gunichar)-2) {
    pending_.assign(end, rest);
    return;
  }
  text_ = false;
}

std::optional<std::string> ContentSniffer::type() const {
  std::string_view h(head_);
  auto starts = [&](std::string_view magic) { return h.substr(0, magic.size()) == magic; };
  if (starts("%PDF-")) return "application/pdf";
  if (starts("\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (h.size() >= 12 && starts("RIFF") && h.substr(8, 4) == "WEBP") return "image/webp";
  if (size_ > 0 && text_ && pending_.empty()) return "text/plain; charset=utf-8";
  return std::nullopt;
}

}  // namespace carrel::control
