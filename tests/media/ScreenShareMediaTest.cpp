// Screen share (issue 4 item 1): a participant starts a 1280x720 screen beside its camera and
// microphone with a re-offer, everyone receives it marked as a screen, a late joiner is told
// about it, and stopping it with another re-offer ends it for everyone while the camera goes
// on.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

int64_t frames(Process& p, const std::string& who, const std::string& track) {
  const RemoteTrack* t = readPeer(p).findTrack(who, track);
  return t ? t->frames : -1;
}

int64_t packets(Process& p, const std::string& who, const std::string& track) {
  const RemoteTrack* t = readPeer(p).findTrack(who, track);
  return t ? t->packets : -1;
}

// Whether a line of this event names the track with source "screen".
bool sawScreenEvent(Process& p, const std::string& event, const std::string& who) {
  for (auto& o : peerEvents(p, event)) {
    if (json::getString(o.get(), "participant").value_or("") == who &&
        json::getString(o.get(), "track").value_or("") == "screen0" &&
        json::getString(o.get(), "source").value_or("") == "screen") {
      return true;
    }
  }
  return false;
}

// Whether the joined line lists who with a screen track.
bool joinedWithScreen(Process& p, const std::string& who) {
  for (auto& o : peerEvents(p, "joined")) {
    JsonArray* ps = json::getArray(o.get(), "participants");
    for (guint i = 0; ps && i < json_array_get_length(ps); ++i) {
      JsonObject* e = json_array_get_object_element(ps, i);
      if (json::getString(e, "participant").value_or("") != who) continue;
      JsonArray* ts = json::getArray(e, "tracks");
      for (guint k = 0; ts && k < json_array_get_length(ts); ++k) {
        JsonObject* t = json_array_get_object_element(ts, k);
        if (json::getString(t, "source").value_or("") == "screen") return true;
      }
    }
  }
  return false;
}

}  // namespace

TEST(ScreenShareMedia, StartAndStopRenegotiateAndEveryoneSeesTheScreen) {
  std::string dir = artifactDir(currentTestName());
  CarrelStack stack(dir);
  auto ana = stack.startPeer("ana", {"--room", "slides", "--json", "--stats-interval-ms", "250"});
  auto ben = stack.startPeer(
      "ben", {"--room", "slides", "--json", "--stats-interval-ms", "250", "--no-publish"});
  std::string ida = waitForWelcome(*ana, 20s);
  ASSERT_FALSE(ida.empty());
  // Camera first, then the share starts (SIGUSR1: a new m-line and a re-offer).
  ASSERT_TRUE(eventually([&] { return frames(*ben, ida, "video0") > 5; }, 30s)) << ben->logPath();
  ASSERT_EQ(::kill(ana->pid(), SIGUSR1), 0);

  bool screenSeen = eventually([&] { return frames(*ben, ida, "screen0") > 5; }, 30s);
  saveOutput(*ben, dir + "/ben.out");
  ASSERT_TRUE(screenSeen) << "no screen picture: " << ben->logPath();
  PeerView v = readPeer(*ben);
  const RemoteTrack* screen = v.findTrack(ida, "screen0");
  ASSERT_NE(screen, nullptr);
  EXPECT_EQ(screen->source, "screen");
  EXPECT_EQ(screen->kind, "video");
  const RemoteTrack* camera = v.findTrack(ida, "video0");
  ASSERT_NE(camera, nullptr);
  EXPECT_EQ(camera->source, "camera");
  EXPECT_NE(camera->mid, screen->mid);
  EXPECT_TRUE(sawScreenEvent(*ben, "track_published", ida));

  // A late joiner learns of the share from joined and receives it too.
  auto cid = stack.startPeer(
      "cid", {"--room", "slides", "--json", "--stats-interval-ms", "250", "--no-publish"});
  EXPECT_TRUE(eventually([&] { return frames(*cid, ida, "screen0") > 5; }, 30s)) << cid->logPath();
  EXPECT_TRUE(joinedWithScreen(*cid, ida)) << cid->logPath();

  // The stop (SIGUSR1 again: the m-line goes inactive in a re-offer): the others are told,
  // the screen's packets stop, the camera goes on.
  ASSERT_EQ(::kill(ana->pid(), SIGUSR1), 0);
  ASSERT_TRUE(eventually([&] { return sawScreenEvent(*ben, "track_ended", ida); }, 20s))
      << ben->logPath();
  std::this_thread::sleep_for(1s);
  int64_t screenAtStop = packets(*ben, ida, "screen0");
  int64_t cameraAtStop = frames(*ben, ida, "video0");
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(packets(*ben, ida, "screen0"), screenAtStop) << "an ended screen is still forwarded";
  // Sharing again is a new m-line and a new track id.
  ASSERT_EQ(::kill(ana->pid(), SIGUSR1), 0);
  EXPECT_TRUE(eventually([&] { return frames(*ben, ida, "screen1") > 5; }, 30s)) << ben->logPath();
  EXPECT_TRUE(eventually([&] { return frames(*ben, ida, "video0") > cameraAtStop + 20; }, 20s))
      << "the camera stopped with the screen";
  EXPECT_TRUE(sawScreenEvent(*cid, "track_ended", ida)) << cid->logPath();

  saveOutput(*ben, dir + "/ben.out");
  saveOutput(*cid, dir + "/cid.out");
  saveOutput(*ana, dir + "/ana.out");
  EXPECT_EQ(ana->stop(10s), 0) << ana->logPath();
  EXPECT_EQ(ben->stop(10s), 0) << ben->logPath();
  EXPECT_EQ(cid->stop(10s), 0) << cid->logPath();
}
