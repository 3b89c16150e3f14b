#include <gtest/gtest.h>

#include "AccessTokens.hpp"
#include "PasswordHasher.hpp"

using namespace carrel::control;

TEST(AccessTokens, IssuedTokenChecksUntilExpiry) {
  AccessTokens t(AccessTokens::newSecret());
  TokenClaims c{42, AccessTokens::newSessionId(), 1000};
  std::string token = t.issue(c);
  auto back = t.check(token, 999);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->userId, 42u);
  EXPECT_EQ(back->sessionId, c.sessionId);
  EXPECT_EQ(back->expiresAt, 1000);
  TokenError why{};
  EXPECT_FALSE(t.check(token, 1000, &why));
  EXPECT_EQ(why, TokenError::Expired);
}

TEST(AccessTokens, RejectsTamperingAndOtherSecrets) {
  AccessTokens t(AccessTokens::newSecret());
  std::string sid = AccessTokens::newSessionId();
  std::string token = t.issue({7, sid, 5000});
  TokenError why{};
  std::string mac = token.substr(token.rfind('.') + 1);
  // Another user id, or a later expiry, with the same MAC.
  EXPECT_FALSE(t.check("v1.8." + sid + ".5000." + mac, 1, &why));
  EXPECT_EQ(why, TokenError::BadSignature);
  EXPECT_FALSE(t.check("v1.7." + sid + ".9999." + mac, 1, &why));
  EXPECT_EQ(why, TokenError::BadSignature);
  EXPECT_TRUE(t.check("v1.7." + sid + ".5000." + mac, 1));
  // Signed by another node's secret.
  AccessTokens other(AccessTokens::newSecret());
  EXPECT_FALSE(other.check(token, 1, &why));
  EXPECT_EQ(why, TokenError::BadSignature);
}

TEST(AccessTokens, MalformedInputIsRefusedWithoutThrowing) {
  AccessTokens t(AccessTokens::newSecret());
  TokenError why{};
  for (std::string bad :
       {std::string(""), std::string("v1"), std::string("v1....."), std::string("v2.1.a.1.b"),
        std::string("v1.-1.00000000000000000000000000000000.1.") + std::string(64, 'a'),
        std::string("v1.1.zz000000000000000000000000000000.1.") + std::string(64, 'a'),
        std::string("v1.1.00000000000000000000000000000000.1.") + std::string(63, 'a'),
        std::string("v1.99999999999999999999999.00000000000000000000000000000000.1.") +
            std::string(64, 'a'),
        std::string(10000, 'x'), std::string("v1.1.\xff\xfe.1.x")}) {
    EXPECT_FALSE(t.check(bad, 0, &why)) << bad;
    EXPECT_EQ(why, TokenError::Malformed) << bad;
  }
}

TEST(PasswordHasher, Argon2idVerifiesOnlyTheRightPassword) {
  PasswordHasher h(PasswordHasher::Strength::Minimum);
  std::string encoded = h.hash("correct horse battery staple");
  ASSERT_FALSE(encoded.empty());
  EXPECT_EQ(encoded.rfind("$argon2id$", 0), 0u) << encoded;
  EXPECT_TRUE(h.verify(encoded, "correct horse battery staple"));
  EXPECT_FALSE(h.verify(encoded, "correct horse battery stapl"));
  EXPECT_FALSE(h.verify(encoded, ""));
  EXPECT_FALSE(h.verify("not a hash", "x"));
  EXPECT_FALSE(h.verify("", "x"));
  // Same password, new salt: a different encoding.
  EXPECT_NE(h.hash("correct horse battery staple"), encoded);
  // A minimum-strength hash is weaker than the interactive default.
  EXPECT_TRUE(PasswordHasher().needsRehash(encoded));
  EXPECT_FALSE(h.needsRehash(encoded));
}
