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
