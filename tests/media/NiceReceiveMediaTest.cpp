// NiceReceive: once a connection's datagrams go straight to dtlssrtpdec, the SFU reads them on
// the ICE agent's thread instead of through nicesrc's loop. Pictures must keep coming both
// ways (DTLS keys, SRTP, RTCP all arrive that way), the SFU must have read them that way
// (node.info's agent_read_packets, counted where the agent hands them over), and
// --keep-nicesrc-read must give the same pictures through nicesrc.
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

int64_t frames(Process& viewer, const std::string& who) {
  PeerView v = readPeer(viewer);
  const RemoteTrack* t = v.find(who, "video");
  return t ? t->frames : -1;
}

int64_t agentRead(SfuProbe& sfu, const std::string& node) {
  JsonObjectPtr info = sfu.nodeInfo(node);
  return info ? json::getInt(info.get(), "agent_read_packets").value_or(-1) : -1;
}

void picturesBothWays(bool onAgent) {
  StackOptions options;
  if (!onAgent) options.sfuArgs = {"--keep-nicesrc-read"};
  CarrelStack stack(artifactDir(currentTestName()), options);
  std::vector<std::string> args{"--room", "read", "--json", "--stats-interval-ms", "200"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  ASSERT_TRUE(eventually([&] { return frames(*a, idb) > 30 && frames(*b, ida) > 30; }, 30s))
      << stack.dir();
  SfuProbe sfu(stack.redisPort());
  ASSERT_TRUE(sfu.ready());

  int64_t first = agentRead(sfu, stack.sfuNodeId());
  int64_t seenByA = frames(*a, idb), seenByB = frames(*b, ida);
  EXPECT_TRUE(eventually(
      [&] { return frames(*a, idb) > seenByA + 30 && frames(*b, ida) > seenByB + 30; }, 30s))
      << "pictures stopped; " << stack.dir();
  int64_t second = agentRead(sfu, stack.sfuNodeId());
  if (onAgent) {
    EXPECT_GT(first, 0) << "no datagram was read on an agent's thread";
    // 30 more frames each way are far more than 60 datagrams.
    EXPECT_GT(second, first + 60) << "later datagrams were not read there";
  } else {
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 0);
  }
}

}  // namespace

TEST(NiceReceive, PeersGetPicturesReadOnTheAgentsThread) {
  picturesBothWays(true);
}

TEST(NiceReceive, KeepNicesrcReadGivesThePicturesThroughNicesrc) {
  picturesBothWays(false);
}
