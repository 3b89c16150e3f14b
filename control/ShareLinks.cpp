#include "ShareLinks.hpp"

#include <sodium.h>

#include <vector>

namespace carrel::control {

std::string ShareLinks::mac(const std::string& payload) const {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret_.data()),
                              secret_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>("share:"), 6);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload.data()),
                                payload.size());
  crypto_auth_hmacsha256_final(&st, out);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

std::string ShareLinks::issue(const std::string& recording, int64_t expiresAt) const {
  std::string payload = "r1." + recording + "." + std::to_string(expiresAt);
  return payload + "." + mac(payload);
}

std::optional<std::string> ShareLinks::check(const std::string& token, int64_t now,
                                             std::string* why) const {
  auto fail = [why](const char* w) -> std::optional<std::string> {
    if (why) *why = w;
    return std::nullopt;
  };
  if (token.size() > 256 || token.compare(0, 3, "r1.") != 0) return fail("malformed");
  auto macDot = token.rfind('.');
  auto expDot = token.rfind('.', macDot - 1);
  if (macDot == std::string::npos || expDot == std::string::npos || expDot < 3)
    return fail("malformed");
  std::string payload = token.substr(0, macDot);
  std::string given = token.substr(macDot + 1);
  std::string expected = mac(payload);
  if (given.size() != expected.size() ||
      sodium_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return fail("bad signature");
  }
  std::string recording = token.substr(3, expDot - 3);
  std::string exp = token.substr(expDot + 1, macDot - expDot - 1);
  if (recording.empty() || exp.empty() || exp.size() > 18) return fail("malformed");
  int64_t expiresAt = 0;
  for (char c : exp) {
    if (c < '0' || c > '9') return fail("malformed");
    expiresAt = expiresAt * 10 + (c - '0');
  }
  if (now >= expiresAt) return fail("expired");
  return recording;
}

}  // namespace carrel::control
