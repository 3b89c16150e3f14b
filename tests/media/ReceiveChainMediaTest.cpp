// ReceiveChainShortcut: once a publish connection's SRTP flows, each received packet goes
// from srtpdec into rtpsession, from rtpsession into rtprtxreceive and from rtpreddec into
// rtpstorage past webrtcbin's ghost pads (and TrackForwarder skips the ghost src pads before
// each tee). Real peers must decode what comes that way, the SFU must have taken it
// (node.info's receive_chain_packets, counted where srtpdec's packets are chained into
// rtpsession), and --keep-receive-chain must give the same pictures through the whole chain.
#include <gtest/gtest.h>

#include "ShortcutCheck.hpp"

using namespace carrel::test;

TEST(ReceiveChain, PeersDecodeWhatTheShortenedReceiveChainForwards) {
  CounterReads n;
  countWhilePicturesFlow({}, "rx-chain", "receive_chain_packets", &n);
  EXPECT_GT(n.first, 0) << "no packet went the short way";
  EXPECT_GT(n.second, n.first + 30) << "later packets did not go the short way";
}

TEST(ReceiveChain, KeepReceiveChainTakesEveryGhostPad) {
  CounterReads n;
  countWhilePicturesFlow({"--keep-receive-chain"}, "rx-chain", "receive_chain_packets", &n);
  EXPECT_EQ(n.first, 0);
  EXPECT_EQ(n.second, 0);
}
