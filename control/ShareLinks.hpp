// Share links for a recording: "r1.<recording>.<expiry>.<mac>", the MAC an HMAC-SHA256 over
// everything before it with the control plane's token secret. Whoever holds the link may
// watch that one recording until the expiry (unix seconds), without an account; nothing is
// stored, so a link cannot be revoked before it expires except by deleting the recording.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace carrel::control {

class ShareLinks {
 public:
  static constexpr int64_t kMaxTtlSeconds = 30LL * 24 * 3600;

  explicit ShareLinks(std::string secret) : secret_(std::move(secret)) {}
  std::string issue(const std::string& recording, int64_t expiresAt) const;
  // The recording the token opens, if the token is well-formed, signed by us and not expired.
  std::optional<std::string> check(const std::string& token, int64_t now,
                                   std::string* why = nullptr) const;

 private:
  std::string mac(const std::string& payload) const;
  std::string secret_;
};

}  // namespace carrel::control
