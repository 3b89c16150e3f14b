// The chat rate limit: token buckets with time passed in, so no test waits on a clock.
#include <gtest/gtest.h>

#include "RateLimiter.hpp"
#include "TokenBucket.hpp"

using namespace carrel::control;

TEST(TokenBucket, BurstThenRefillAtTheRate) {
  TokenBucket b(2.0, 3.0, 1000);  // 2 per second, 3 at once
  EXPECT_EQ(b.take(1000), 0);
  EXPECT_EQ(b.take(1000), 0);
  EXPECT_EQ(b.take(1000), 0);
  EXPECT_EQ(b.take(1000), 500);  // one token takes 500 ms at 2/s
  EXPECT_EQ(b.take(1250), 250);
  EXPECT_EQ(b.take(1500), 0);
  EXPECT_EQ(b.take(1500), 500);
  EXPECT_FALSE(b.full(2000));
  EXPECT_TRUE(b.full(3000));  // 1.5 s refills 3 tokens, and no more than the burst
  EXPECT_EQ(b.take(60000), 0);
  EXPECT_EQ(b.take(60000), 0);
  EXPECT_EQ(b.take(60000), 0);
  EXPECT_GT(b.take(60000), 0);
}

TEST(TokenBucket, ClockGoingBackRefillsNothing) {
  TokenBucket b(1.0, 1.0, 5000);
  EXPECT_EQ(b.take(5000), 0);
  EXPECT_EQ(b.take(1000), 1000);
  EXPECT_EQ(b.take(5999), 1);
  EXPECT_EQ(b.take(6000), 0);
}

TEST(RateLimiter, KeysAreIndependentAndIdleOnesAreForgotten) {
  RateLimiter r(1.0, 2.0);
  EXPECT_EQ(r.take("user:1", 0), 0);
  EXPECT_EQ(r.take("user:1", 0), 0);
  EXPECT_EQ(r.take("user:1", 0), 1000);
  EXPECT_EQ(r.take("user:2", 0), 0);
  EXPECT_EQ(r.tracked(), 2u);
  // A minute later both buckets are full again and are dropped; a new one is made on use.
  EXPECT_EQ(r.take("p-guest", 61000), 0);
  EXPECT_EQ(r.tracked(), 1u);
}
