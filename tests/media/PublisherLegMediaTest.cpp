// The SFU's publisher legs (issue 4 item 5 and speed): a publish connection's packets are
// forwarded as they come (PassThroughJitterbuffer, no reordering buffer), and what the uplink
// lost is asked for again, so a subscriber still gets the whole stream.
#include <gtest/gtest.h>

#include <string>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

int64_t latestInt(Process& p, const char* section, const char* field) {
  auto stats = peerEvents(p, "stats");
  if (stats.empty()) return -1;
  JsonObject* o = json::getObject(stats.back().get(), section);
  return o ? json::getInt(o, field).value_or(-1) : -1;
}

int64_t frames(Process& p, const std::string& who, const std::string& track) {
  const RemoteTrack* t = readPeer(p).findTrack(who, track);
  return t ? t->frames : -1;
}

void uplinkLossIsRepaired(const std::vector<std::string>& sfuArgs) {
  std::string dir = artifactDir(currentTestName());
  StackOptions opts;
  opts.sfuArgs = sfuArgs;
  CarrelStack stack(dir, opts);
  // Ana's uplink loses every 10th video packet after her sender kept it for retransmission.
  auto ana = stack.startPeer("ana", {"--room", "uplink", "--json", "--no-audio",
                                     "--stats-interval-ms", "250", "--send-drop-percent", "10"});
  auto ben = stack.startPeer(
      "ben", {"--room", "uplink", "--json", "--stats-interval-ms", "250", "--no-publish"});
  std::string ida = waitForWelcome(*ana, 20s);
  ASSERT_FALSE(ida.empty());
  ASSERT_TRUE(eventually(
      [&] {
        return latestInt(*ana, "published", "video_packets_dropped") > 60 &&
               frames(*ben, ida, "video0") > 150;
      },
      60s))
      << ana->logPath() << "\n"
      << ben->logPath();
  int64_t dropped = latestInt(*ana, "published", "video_packets_dropped");
  int64_t lost = latestInt(*ben, "receive", "lost");
  ::testing::Test::RecordProperty("dropped_on_uplink", static_cast<int>(dropped));
  ::testing::Test::RecordProperty("lost_at_subscriber", static_cast<int>(lost));
  // Unrepaired, every dropped packet would be lost for ben too (the SFU cannot resend what it
  // never got); repaired, hardly any is.
  EXPECT_GE(lost, 0);
  EXPECT_LT(lost, dropped / 5) << "dropped " << dropped << " lost " << lost << "\n"
                               << ben->logPath();
  saveOutput(*ana, dir + "/ana.out");
  saveOutput(*ben, dir + "/ben.out");
  EXPECT_EQ(ana->stop(10s), 0) << ana->logPath();
  EXPECT_EQ(ben->stop(10s), 0) << ben->logPath();
}

}  // namespace

TEST(PublisherLegMedia, PacketsTheUplinkLostAreAskedForAgain) {
  uplinkLossIsRepaired({});
}

TEST(PublisherLegMedia, PacketsTheUplinkLostAreAskedForAgainWithRtpjitterbuffer) {
  uplinkLossIsRepaired({"--publish-jitterbuffer", "rtpjitterbuffer"});
}
