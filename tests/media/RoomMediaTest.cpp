// A room end to end: carrel-peers publish and subscribe through the real control plane, SFU
// and Redis, and decode what they receive.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "CarrelStack.hpp"
#include "MediaTestUtil.hpp"
#include "PeerOutput.hpp"
#include "TestEnv.hpp"

using namespace carrel::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> peerArgs(const std::string& room) {
  return {"--room", room, "--json", "--duration", "0", "--stats-interval-ms", "250"};
}

// True when `viewer` decoded at least minFrames video frames and some audio from `who`.
bool receivesFrom(Process& viewer, const std::string& who, int64_t minFrames) {
  PeerView v = readPeer(viewer);
  const RemoteTrack* video = v.find(who, "video");
  const RemoteTrack* audio = v.find(who, "audio");
  return video && audio && video->frames >= minFrames && audio->frames > 0 && !video->ended;
}

std::string describe(Process& p) {
  PeerView v = readPeer(p);
  std::string s = "peer " + v.participant + " at " + std::to_string(v.statsTimeMs) + " ms:";
  for (auto& t : v.tracks) {
    s += " [" + t.participant + " " + t.kind + " pkts=" + std::to_string(t.packets) +
         " frames=" + std::to_string(t.frames) + " first=" + std::to_string(t.firstFrameMs) +
         (t.ended ? " ended" : "") + "]";
  }
  for (auto& e : v.errors) s += " error(" + e + ")";
  return s + " (log " + p.logPath() + ")";
}

}  // namespace

TEST(RoomMedia, ThreePeersSeeAndHearEachOtherLateJoinerAndLeave) {
  CarrelStack stack(artifactDir(currentTestName()));
  auto a = stack.startPeer("ana", peerArgs("algebra"));
  auto b = stack.startPeer("ben", peerArgs("algebra"));
  auto c = stack.startPeer("cleo", peerArgs("algebra"));
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s),
              idc = waitForWelcome(*c, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty() || idc.empty()) << "a peer got no welcome";

  // Each decodes >= 30 video frames and receives audio from both others within 15 s.
  auto all3 = [&] {
    return receivesFrom(*a, idb, 30) && receivesFrom(*a, idc, 30) && receivesFrom(*b, ida, 30) &&
           receivesFrom(*b, idc, 30) && receivesFrom(*c, ida, 30) && receivesFrom(*c, idb, 30);
  };
  EXPECT_TRUE(eventually(all3, 15s)) << describe(*a) << "\n"
                                     << describe(*b) << "\n"
                                     << describe(*c);

  // A fourth joins late and decodes video from all three within 2 s of joining: only
  // possible if the SFU asks each publisher for a keyframe when a subscriber is added.
  auto d = stack.startPeer("dara", peerArgs("algebra"));
  std::string idd = waitForWelcome(*d, 20s);
  ASSERT_FALSE(idd.empty());
  ASSERT_TRUE(eventually(
      [&] {
        PeerView v = readPeer(*d);
        for (auto& who : {ida, idb, idc}) {
          const RemoteTrack* t = v.find(who, "video");
          if (!t || t->firstFrameMs < 0) return false;
        }
        return v.joinedMs >= 0;
      },
      20s))
      << describe(*d);
  PeerView dv = readPeer(*d);
  for (auto& who : {ida, idb, idc}) {
    const RemoteTrack* t = dv.find(who, "video");
    EXPECT_LE(t->firstFrameMs - dv.joinedMs, 2000)
        << "first frame from " << who << " came " << (t->firstFrameMs - dv.joinedMs)
        << " ms after joining; " << describe(*d);
  }
  // The others now receive the late joiner too.
  EXPECT_TRUE(
      eventually([&] { return receivesFrom(*a, idd, 30) && receivesFrom(*b, idd, 30); }, 15s))
      << describe(*a) << "\n"
      << describe(*b);

  // One leaves: everyone else sees its tracks end, and keeps receiving the rest.
  ASSERT_EQ(b->stop(10s), 0) << "carrel-peer did not exit cleanly, see " << b->logPath();
  auto sawBenEnd = [&](Process& p) {
    PeerView v = readPeer(p);
    bool video = false, audio = false;
    for (auto& t : v.tracks) {
      if (t.participant == idb && t.ended) (t.kind == "video" ? video : audio) = true;
    }
    return video && audio;
  };
  EXPECT_TRUE(eventually([&] { return sawBenEnd(*a) && sawBenEnd(*c) && sawBenEnd(*d); }, 10s))
      << describe(*a) << "\n"
      << describe(*c) << "\n"
      << describe(*d);
  int64_t before = readPeer(*a).find(idc, "video")->frames;
  EXPECT_TRUE(
      eventually([&] { return readPeer(*a).find(idc, "video")->frames > before + 15; }, 10s))
      << "the room stopped after a leave: " << describe(*a);

  for (auto* p : {a.get(), c.get(), d.get()}) EXPECT_EQ(p->stop(10s), 0) << p->logPath();
}
