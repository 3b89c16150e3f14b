// Password hashing with argon2id (libsodium's crypto_pwhash_str). Slow on purpose (tens of
// ms and 64 MiB per call at the interactive limits): call it off the main loop.
#pragma once

#include <string>

namespace carrel::control {

class PasswordHasher {
 public:
  // Limits: the interactive ones by default; tests may ask for the minimum to stay quick.
  enum class Strength { Interactive, Minimum };

  explicit PasswordHasher(Strength s = Strength::Interactive);

  // An encoded "$argon2id$..." string with its own salt and parameters; "" on failure
  // (out of memory).
  std::string hash(const std::string& password) const;
  // Constant-time check against an encoded hash; false for a malformed hash.
  bool verify(const std::string& encoded, const std::string& password) const;
  // True when the hash was made with weaker parameters than this hasher's (rehash on login).
  bool needsRehash(const std::string& encoded) const;

 private:
  unsigned long long opsLimit_;
  size_t memLimit_;
};

}  // namespace carrel::control
