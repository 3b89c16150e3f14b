#include <gtest/gtest.h>

#include <vector>

#include "SequenceGaps.hpp"

using carrel::sfu::SequenceGaps;

namespace {
std::vector<uint16_t> feed(SequenceGaps& g, uint16_t seq, int64_t ms, bool* forwarded = nullptr) {
  std::vector<uint16_t> nacks;
  bool f = g.onPacket(seq, ms, &nacks);
  if (forwarded) *forwarded = f;
  return nacks;
}
}  // namespace

TEST(SequenceGaps, InOrderPacketsAskNothing) {
  SequenceGaps g;
  for (uint16_t s = 100; s < 200; ++s) EXPECT_TRUE(feed(g, s, s).empty());
  EXPECT_EQ(g.counts().forwarded, 100u);
  EXPECT_EQ(g.counts().requests, 0u);
  EXPECT_EQ(g.missing(), 0u);
}

TEST(SequenceGaps, AGapIsAskedForAtOnceAndALateArrivalFillsIt) {
  SequenceGaps g;
  feed(g, 10, 0);
  EXPECT_EQ(feed(g, 13, 1), (std::vector<uint16_t>{11, 12}));
  bool forwarded = false;
  EXPECT_TRUE(feed(g, 12, 5, &forwarded).empty());
  EXPECT_TRUE(forwarded);
  EXPECT_EQ(g.counts().late, 1u);
  EXPECT_EQ(g.counts().recovered, 1u);
  EXPECT_EQ(g.missing(), 1u);
}

TEST(SequenceGaps, DuplicatesAreDropped) {
  SequenceGaps g;
  bool forwarded = true;
  feed(g, 10, 0);
  feed(g, 10, 0, &forwarded);
  EXPECT_FALSE(forwarded);
  feed(g, 12, 1);
  feed(g, 11, 2, &forwarded);
  EXPECT_TRUE(forwarded);
  feed(g, 11, 3, &forwarded);  // the retransmission came twice
  EXPECT_FALSE(forwarded);
  EXPECT_EQ(g.counts().duplicates, 2u);
  EXPECT_EQ(g.counts().forwarded, 3u);
}

TEST(SequenceGaps, MissingPacketsAreAskedAgainThenGivenUp) {
  SequenceGaps::Settings s;
  s.retryAfterMs = 100;
  s.maxRequests = 3;
  s.giveUpAfterMs = 1000;
  SequenceGaps g(s);
  feed(g, 1, 0);
  EXPECT_EQ(feed(g, 3, 0), std::vector<uint16_t>{2});
  EXPECT_TRUE(feed(g, 4, 50).empty());                   // too soon to ask again
  EXPECT_EQ(feed(g, 5, 100), std::vector<uint16_t>{2});  // second request
  EXPECT_EQ(feed(g, 6, 200), std::vector<uint16_t>{2});  // third, the last
  EXPECT_TRUE(feed(g, 7, 400).empty());
  EXPECT_EQ(g.counts().requests, 3u);
  EXPECT_EQ(g.counts().lost, 0u);
  feed(g, 8, 1000);
  EXPECT_EQ(g.counts().lost, 1u);
  EXPECT_EQ(g.missing(), 0u);
}

TEST(SequenceGaps, WrapsAroundSixtyFiveThousand) {
  SequenceGaps g;
  feed(g, 65534, 0);
  EXPECT_EQ(feed(g, 1, 1), (std::vector<uint16_t>{65535, 0}));
  bool forwarded = false;
  feed(g, 0, 2, &forwarded);
  EXPECT_TRUE(forwarded);
  EXPECT_EQ(g.counts().recovered, 1u);
}

TEST(SequenceGaps, AJumpBeyondTheLongestGapIsANewStartNotLoss) {
  SequenceGaps::Settings s;
  s.maxGap = 128;
  SequenceGaps g(s);
  feed(g, 1000, 0);
  EXPECT_TRUE(feed(g, 5000, 1).empty());
  EXPECT_TRUE(feed(g, 5001, 2).empty());
  EXPECT_EQ(g.counts().requests, 0u);
  // And far behind: the sender started over; followed, not dropped.
  bool forwarded = false;
  EXPECT_TRUE(feed(g, 100, 3, &forwarded).empty());
  EXPECT_TRUE(forwarded);
  EXPECT_TRUE(feed(g, 101, 4).empty());
}

TEST(SequenceGaps, WithoutANackListNothingIsAskedButGapsAreStillTracked) {
  SequenceGaps g;
  EXPECT_TRUE(g.onPacket(1, 0, nullptr));
  EXPECT_TRUE(g.onPacket(5, 0, nullptr));
  EXPECT_TRUE(g.onPacket(3, 1, nullptr));
  EXPECT_EQ(g.counts().late, 1u);
  EXPECT_FALSE(g.onPacket(3, 2, nullptr));
}
