// RtpRewriter: one continuous RTP stream per subscriber m-line across publisher switches.
#include <gtest/gtest.h>

#include "RtpRewriter.hpp"

using carrel::sfu::RtpRewriter;

TEST(RtpRewriter, FirstPublisherOfTheSlotPassesUntouched) {
  RtpRewriter r(1111, 90000);
  for (uint16_t i = 0; i < 5; ++i) {
    RtpRewriter::Packet p{1111, static_cast<uint16_t>(100 + i), 5000u + i * 3000u};
    EXPECT_EQ(r.next(p, 1000 + i * 33000), RtpRewriter::Action::Pass);
    EXPECT_EQ(p.ssrc, 1111u);
    EXPECT_EQ(p.seq, 100 + i);
    EXPECT_EQ(p.ts, 5000u + i * 3000u);
  }
}

TEST(RtpRewriter, NextPublisherContinuesSequenceAndAdvancesTimestampByWallClock) {
  RtpRewriter r(1111, 90000);
  RtpRewriter::Packet a{1111, 65534, 4294967000u};
  r.next(a, 0);
  RtpRewriter::Packet b{1111, 65535, 4294967000u + 3000};
  r.next(b, 33000);
  // Another publisher, 0.5 s later, with its own numbering.
  RtpRewriter::Packet c{2222, 7, 123};
  EXPECT_EQ(r.next(c, 533000), RtpRewriter::Action::Rewrite);
  EXPECT_EQ(c.ssrc, 1111u);
  EXPECT_EQ(c.seq, 0) << "sequence numbers continue (wrapping) from the last one sent";
  EXPECT_EQ(c.ts, static_cast<uint32_t>(4294967000u + 3000 + 45000))
      << "0.5 s at 90 kHz after the last timestamp";
  RtpRewriter::Packet d{2222, 8, 123 + 3000};
  EXPECT_EQ(r.next(d, 566000), RtpRewriter::Action::Rewrite);
  EXPECT_EQ(d.seq, 1);
  EXPECT_EQ(d.ts, c.ts + 3000);
}

TEST(RtpRewriter, ReorderedPacketsKeepTheirOffsetAndDoNotMoveTheHighWaterMark) {
  RtpRewriter r(1111, 48000);
  RtpRewriter::Packet a{1111, 10, 960};
  r.next(a, 0);
  RtpRewriter::Packet b{3333, 500, 100000};
  r.next(b, 20000);
  EXPECT_EQ(b.seq, 11);
  RtpRewriter::Packet late{3333, 499, 100000 - 960};
  r.next(late, 21000);
  EXPECT_EQ(late.seq, 10);
  // The next switch continues after 11 (the highest sent), not after the late 10.
  RtpRewriter::Packet c{4444, 1, 1};
  r.next(c, 41000);
  EXPECT_EQ(c.seq, 12);
}

TEST(RtpRewriter, SwitchAtTheSameInstantStillMovesTimestampForward) {
  RtpRewriter r(1111, 90000);
  RtpRewriter::Packet a{1111, 1, 1000};
  r.next(a, 5000);
  RtpRewriter::Packet b{2222, 40000, 77};
  r.next(b, 5000);
  EXPECT_EQ(b.seq, 2);
  EXPECT_GT(b.ts, 1000u);
}

// srtpenc refuses an index it has used or one older than its window, and that ends the
// subscriber: a publisher that starts its numbering over on the same SSRC is continued.
TEST(RtpRewriter, SourceThatStartsItsNumberingOverIsContinued) {
  RtpRewriter r(1111, 90000);
  for (uint16_t i = 0; i < 3000; ++i) {
    RtpRewriter::Packet p{1111, static_cast<uint16_t>(20000 + i), 90000u + i * 30u};
    ASSERT_EQ(r.next(p, i * 333), RtpRewriter::Action::Pass);
  }
  // A late packet within what SequenceGaps forwards keeps its number.
  RtpRewriter::Packet late{1111, static_cast<uint16_t>(20000 + 2999 - 1000), 1};
  EXPECT_EQ(r.next(late, 1000000), RtpRewriter::Action::Pass);
  EXPECT_EQ(late.seq, 20000 + 1999);
  // Then the same SSRC from 5 again: the first is dropped, the next continues after the
  // highest sent (22999).
  RtpRewriter::Packet first{1111, 5, 777};
  EXPECT_EQ(r.next(first, 1100000), RtpRewriter::Action::Drop);
  RtpRewriter::Packet again{1111, 6, 777 + 3000};
  EXPECT_EQ(r.next(again, 1133000), RtpRewriter::Action::Rewrite);
  EXPECT_EQ(again.ssrc, 1111u);
  EXPECT_EQ(again.seq, 23000);
  RtpRewriter::Packet after{1111, 7, 777 + 6000};
  EXPECT_EQ(r.next(after, 1166000), RtpRewriter::Action::Rewrite);
  EXPECT_EQ(after.seq, 23001);
  EXPECT_EQ(after.ts, again.ts + 3000);
}

// One packet that old among the stream's own (a retransmission come far too late) is only
// dropped: the stream's numbers stay as they were.
TEST(RtpRewriter, AStrayAncientPacketIsDroppedAndTheStreamGoesOn) {
  RtpRewriter r(1111, 90000);
  for (uint16_t i = 0; i < 2000; ++i) {
    RtpRewriter::Packet p{1111, static_cast<uint16_t>(100 + i), 1000u + i * 30u};
    ASSERT_EQ(r.next(p, i * 333), RtpRewriter::Action::Pass);
  }
  RtpRewriter::Packet stray{1111, 100 + 2000 - 1 - 1500, 5};
  EXPECT_EQ(r.next(stray, 700000), RtpRewriter::Action::Drop);
  for (uint16_t i = 2000; i < 2010; ++i) {
    RtpRewriter::Packet p{1111, static_cast<uint16_t>(100 + i), 1000u + i * 30u};
    EXPECT_EQ(r.next(p, i * 333), RtpRewriter::Action::Pass);
    EXPECT_EQ(p.seq, 100 + i);
  }
}
