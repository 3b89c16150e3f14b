// SendTail: once a connection's SRTP flows, the SFU hands rtpsession's packets to srtpenc and
// srtpenc's to the connection's ICE agent itself, past webrtcbin's ghost pads, clocksync,
// funnel and nicesink. Real peers must decode what comes that way (protected with the
// connection's keys, sent on its selected pair), the SFU must have sent it that way
// (node.info's send_tail_packets, counted where the packets are handed to the agent), and
// --keep-send-tail must give the same pictures through webrtcbin's whole chain.
#include <gtest/gtest.h>

#include "ShortcutCheck.hpp"

using namespace carrel::test;

TEST(SendTail, PeersDecodeWhatTheShortenedTailSends) {
  CounterReads n;
  countWhilePicturesFlow({}, "tail", "send_tail_packets", &n);
  EXPECT_GT(n.first, 0) << "no packet went the short way";
  EXPECT_GT(n.second, n.first + 30) << "later packets did not go the short way";
}

TEST(SendTail, KeepSendTailSendsThroughWebrtcbinsWholeChain) {
  CounterReads n;
  countWhilePicturesFlow({"--keep-send-tail"}, "tail", "send_tail_packets", &n);
  EXPECT_EQ(n.first, 0);
  EXPECT_EQ(n.second, 0);
}
