#include "PasswordHasher.hpp"

#include <sodium.h>

namespace carrel::control {

namespace {
bool sodiumReady() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}
}  // namespace

PasswordHasher::PasswordHasher(Strength s)
    : opsLimit_(s == Strength::Interactive ? crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
                                           : crypto_pwhash_argon2id_OPSLIMIT_MIN),
      memLimit_(s == Strength::Interactive ? crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE
                                           : crypto_pwhash_argon2id_MEMLIMIT_MIN) {}

std::string PasswordHasher::hash(const std::string& password) const {
  if (!sodiumReady()) return {};
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), opsLimit_, memLimit_) !=
      0) {
    return {};
  }
  return out;
}

bool PasswordHasher::verify(const std::string& encoded, const std::string& password) const {
  if (!sodiumReady() || encoded.empty() || encoded.size() >= crypto_pwhash_argon2id_STRBYTES) {
    return false;
  }
  return crypto_pwhash_argon2id_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::needsRehash(const std::string& encoded) const {
  if (!sodiumReady()) return false;
  return crypto_pwhash_argon2id_str_needs_rehash(encoded.c_str(), opsLimit_, memLimit_) != 0;
}

}  // namespace carrel::control
