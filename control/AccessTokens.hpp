// Signed, expiring access tokens: "v1.<user>.<session>.<expiry>.<mac>", the MAC an
// HMAC-SHA256 over everything before it with the server's secret (shared by every control
// node through MariaDB, so any node checks any token). Revocation is the session's job: a
// valid signature says who and until when, the session row says whether it still counts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace carrel::control {

struct TokenClaims {
  uint64_t userId = 0;
  std::string sessionId;  // 32 hex characters
  int64_t expiresAt = 0;  // unix seconds
};

enum class TokenError { Malformed, BadSignature, Expired };

class AccessTokens {
 public:
  // secret: at least 32 bytes of key material.
  explicit AccessTokens(std::string secret);

  std::string issue(const TokenClaims& claims) const;
  // Checks form, signature and expiry at `now` (unix seconds); never throws.
  std::optional<TokenClaims> check(const std::string& token, int64_t now,
                                   TokenError* why = nullptr) const;

  static std::string newSessionId();  // 128 random bits as hex
  static std::string newSecret();     // 256 random bits as hex

 private:
  std::string mac(const std::string& payload) const;
  std::string secret_;
};

}  // namespace carrel::control
