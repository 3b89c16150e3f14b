// Server-enforced mute (bus method track.mute, what moderation will call): the SFU stops
// forwarding the track within a second while the publisher keeps sending, the participant's
// other track goes on, and unmuting brings the picture back.
#include <gtest/gtest.h>

#include <thread>

#include "Bus.hpp"
#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MainContextPump.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

struct Counts {
  int64_t videoPackets = -1;
  int64_t videoFrames = -1;
  int64_t audioPackets = -1;
};

Counts countsFrom(Process& viewer, const std::string& who) {
  PeerView v = readPeer(viewer);
  Counts c;
  if (const RemoteTrack* t = v.find(who, "video")) {
    c.videoPackets = t->packets;
    c.videoFrames = t->frames;
  }
  if (const RemoteTrack* t = v.find(who, "audio")) c.audioPackets = t->packets;
  return c;
}

// The publisher's own count of encoded video frames (its latest stats line).
int64_t publishedFrames(Process& p) {
  auto stats = peerEvents(p, "stats");
  if (stats.empty()) return -1;
  JsonObject* pub = json::getObject(stats.back().get(), "published");
  return pub ? json::getInt(pub, "video_frames").value_or(-1) : -1;
}

class BusClient {
 public:
  explicit BusClient(int redisPort)
      : pub_("127.0.0.1", redisPort, "test-pub"),
        sub_("127.0.0.1", redisPort, "test-sub"),
        bus_(pub_, sub_, "test-mute") {
    pub_.start(100);
    sub_.start(100);
  }
  bool ready() {
    bool ok = pumpUntil([&] { return pub_.connected() && sub_.connected(); }, 5000);
    pumpUntil([] { return false; }, 200);  // the subscription settles
    return ok;
  }
  // "ok" or "code: message".
  std::string request(const std::string& node, const char* method, JsonObjectPtr data) {
    std::string result;
    bus_.request(node, method, std::move(data), [&](const bus::Response& r) {
      result = r.ok ? "ok" : r.error.code + ": " + r.error.message;
    });
    pumpUntil([&] { return !result.empty(); }, 10000);
    return result.empty() ? "no answer" : result;
  }

 private:
  RedisConnection pub_;
  RedisConnection sub_;
  Bus bus_;
};

JsonObjectPtr muteData(const std::string& peer, const std::string& track, bool muted) {
  json::Object d;
  d.set("room", "quiet").set("peer", peer).set("track", track).setBool("muted", muted);
  return d.take();
}

}  // namespace

TEST(MuteMedia, ServerMuteStopsForwardingWhateverThePublisherSends) {
  CarrelStack stack(artifactDir(currentTestName()));
  auto ana = stack.startPeer("ana", {"--room", "quiet", "--json", "--stats-interval-ms", "200"});
  auto ben = stack.startPeer(
      "ben", {"--room", "quiet", "--json", "--stats-interval-ms", "200", "--no-publish"});
  std::string ida = waitForWelcome(*ana, 20s);
  ASSERT_FALSE(ida.empty());
  ASSERT_TRUE(eventually([&] { return countsFrom(*ben, ida).videoFrames > 10; }, 20s))
      << ben->logPath();

  BusClient bus(stack.redisPort());
  ASSERT_TRUE(bus.ready());
  EXPECT_EQ(bus.request(stack.sfuNodeId(), bus::method::TrackMute, muteData(ida, "nope", true))
                .rfind(bus::error::NoSuchTrack, 0),
            0u);
  ASSERT_EQ(bus.request(stack.sfuNodeId(), bus::method::TrackMute, muteData(ida, "video0", true)),
            "ok");

  // Within a second nothing more arrives (packets already on their way get that long).
  std::this_thread::sleep_for(1s);
  Counts muted = countsFrom(*ben, ida);
  int64_t sentAtMute = publishedFrames(*ana);
  std::this_thread::sleep_for(3s);
  Counts later = countsFrom(*ben, ida);
  EXPECT_EQ(later.videoPackets, muted.videoPackets) << "muted video still forwarded";
  EXPECT_GT(later.audioPackets, muted.audioPackets + 50) << "the microphone stopped too";
  EXPECT_GT(publishedFrames(*ana), sentAtMute + 30) << "the publisher stopped sending";

  ASSERT_EQ(bus.request(stack.sfuNodeId(), bus::method::TrackMute, muteData(ida, "video0", false)),
            "ok");
  EXPECT_TRUE(
      eventually([&] { return countsFrom(*ben, ida).videoFrames > later.videoFrames + 15; }, 10s))
      << "the picture did not come back after unmute: " << ben->logPath();

  EXPECT_EQ(ana->stop(10s), 0) << ana->logPath();
  EXPECT_EQ(ben->stop(10s), 0) << ben->logPath();
}
