#include "AccessTokens.hpp"

#include <sodium.h>

#include <charconv>
#include <vector>

namespace carrel::control {

namespace {

constexpr size_t kMaxToken = 256;

std::string hex(const unsigned char* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

std::string randomHex(size_t bytes) {
  if (sodium_init() < 0) return {};
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return hex(buf.data(), buf.size());
}

bool isHex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

template <typename T>
bool parseNumber(const std::string& s, T* out) {
  if (s.empty() || s.size() > 20) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

AccessTokens::AccessTokens(std::string secret) : secret_(std::move(secret)) {}

std::string AccessTokens::mac(const std::string& payload) const {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret_.data()),
                              secret_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload.data()),
                                payload.size());
  crypto_auth_hmacsha256_final(&st, out);
  return hex(out, sizeof out);
}

std::string AccessTokens::issue(const TokenClaims& c) const {
  std::string payload =
      "v1." + std::to_string(c.userId) + "." + c.sessionId + "." + std::to_string(c.expiresAt);
  return payload + "." + mac(payload);
}

std::optional<TokenClaims> AccessTokens::check(const std::string& token, int64_t now,
                                               TokenError* why) const {
  auto fail = [&](TokenError e) -> std::optional<TokenClaims> {
    if (why) *why = e;
    return std::nullopt;
  };
  if (token.size() > kMaxToken) return fail(TokenError::Malformed);
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= token.size(); ++i) {
    if (i == token.size() || token[i] == '.') {
      parts.push_back(token.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 5 || parts[0] != "v1") return fail(TokenError::Malformed);
  TokenClaims c;
  if (!parseNumber(parts[1], &c.userId) || !parseNumber(parts[3], &c.expiresAt) ||
      parts[2].size() != 32 || !isHex(parts[2]) || parts[4].size() != 64 || !isHex(parts[4])) {
    return fail(TokenError::Malformed);
  }
  c.sessionId = parts[2];
  std::string expected = mac(token.substr(0, token.size() - 65));
  if (sodium_memcmp(expected.data(), parts[4].data(), expected.size()) != 0) {
    return fail(TokenError::BadSignature);
  }
  if (c.expiresAt <= now) return fail(TokenError::Expired);
  return c;
}

std::string AccessTokens::newSessionId() {
  return randomHex(16);
}
std::string AccessTokens::newSecret() {
  return randomHex(32);
}

}  // namespace carrel::control
