// NiceReceive: once a connection's datagrams go straight to dtlssrtpdec, the SFU reads them on
// its receive threads (ReceiveThreads), or with --receive-threads 0 on the ICE agent's thread,
// instead of through nicesrc's loop. Pictures must keep coming both ways (DTLS, SRTP and RTCP
// all arrive that way), the SFU must have read them that way (node.info's agent_read_packets
// and receive_thread_packets, counted where the agent hands them over), and
// --keep-nicesrc-read must give the same pictures through nicesrc.
#include <gtest/gtest.h>

#include "ShortcutCheck.hpp"

using namespace carrel::test;

TEST(NiceReceive, PeersGetPicturesReadOnTheReceiveThreads) {
  CounterReads n;
  countWhilePicturesFlow({}, "read", "receive_thread_packets", &n);
  EXPECT_GT(n.first, 0) << "no datagram was read on a receive thread";
  EXPECT_GT(n.second, n.first + 60) << "later datagrams were not read there";
}

TEST(NiceReceive, PeersGetPicturesReadOnTheAgentsThread) {
  CounterReads n;
  countWhilePicturesFlow({"--receive-threads", "0"}, "read", "agent_read_packets", &n);
  EXPECT_GT(n.first, 0) << "no datagram was read on an agent's thread";
  // 30 more frames each way are far more than 60 datagrams.
  EXPECT_GT(n.second, n.first + 60) << "later datagrams were not read there";
  CounterReads pooled;
  countWhilePicturesFlow({"--receive-threads", "0"}, "read", "receive_thread_packets", &pooled);
  EXPECT_EQ(pooled.second, 0) << "--receive-threads 0 still read on a receive thread";
}

TEST(NiceReceive, KeepNicesrcReadGivesThePicturesThroughNicesrc) {
  CounterReads n;
  countWhilePicturesFlow({"--keep-nicesrc-read"}, "read", "agent_read_packets", &n);
  EXPECT_EQ(n.first, 0);
  EXPECT_EQ(n.second, 0);
}
