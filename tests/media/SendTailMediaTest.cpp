// SendTail: once a connection's SRTP flows, the SFU hands rtpsession's packets to srtpenc and
// srtpenc's to the connection's ICE agent itself, past webrtcbin's ghost pads, clocksync,
// funnel and nicesink. Real peers must decode what comes that way (protected with the
// connection's keys, sent on its selected pair), the SFU must have sent it that way
// (node.info's send_tail_packets, counted where the packets are handed to the agent), and
// --keep-send-tail must give the same pictures through webrtcbin's whole chain.
#include <gtest/gtest.h>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "SfuProbe.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

// Video frames the viewer decoded from who (-1 before it has the track).
int64_t frames(Process& viewer, const std::string& who) {
  PeerView v = readPeer(viewer);
  const RemoteTrack* t = v.find(who, "video");
  return t ? t->frames : -1;
}

int64_t tailPackets(SfuProbe& sfu, const std::string& node) {
  JsonObjectPtr info = sfu.nodeInfo(node);
  return info ? json::getInt(info.get(), "send_tail_packets").value_or(-1) : -1;
}

void picturesBothWays(bool shortened) {
  StackOptions options;
  if (!shortened) options.sfuArgs = {"--keep-send-tail"};
  CarrelStack stack(artifactDir(currentTestName()), options);
  std::vector<std::string> args{"--room", "tail", "--json", "--stats-interval-ms", "200"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  ASSERT_TRUE(eventually([&] { return frames(*a, idb) > 30 && frames(*b, ida) > 30; }, 30s))
      << stack.dir();
  SfuProbe sfu(stack.redisPort());
  ASSERT_TRUE(sfu.ready());

  int64_t first = tailPackets(sfu, stack.sfuNodeId());
  int64_t seenByA = frames(*a, idb), seenByB = frames(*b, ida);
  EXPECT_TRUE(eventually(
      [&] { return frames(*a, idb) > seenByA + 30 && frames(*b, ida) > seenByB + 30; }, 30s))
      << "pictures stopped; " << stack.dir();
  int64_t second = tailPackets(sfu, stack.sfuNodeId());
  if (shortened) {
    EXPECT_GT(first, 0) << "no packet went the short way";
    EXPECT_GT(second, first + 30) << "later packets did not go the short way";
  } else {
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 0);
  }
}

}  // namespace

TEST(SendTail, PeersDecodeWhatTheShortenedTailSends) {
  picturesBothWays(true);
}

TEST(SendTail, KeepSendTailSendsThroughWebrtcbinsWholeChain) {
  picturesBothWays(false);
}
