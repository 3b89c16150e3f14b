// Failure isolation: one carrel-peer killed with SIGKILL (no leave, no close handshake), or
// one whose ICE or DTLS never completes (carrel-peer --break), is torn down alone; the others
// are told it left and keep receiving each other without a gap.
#include <gtest/gtest.h>

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

// (t_ms, packets) of who's video in every stats line the viewer printed.
std::vector<std::pair<int64_t, int64_t>> videoSamples(Process& viewer, const std::string& who) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (auto& o : peerEvents(viewer, "stats")) {
    JsonArray* tracks = json::getArray(o.get(), "tracks");
    int64_t t = json::getInt(o.get(), "t_ms").value_or(-1);
    for (guint i = 0; tracks && i < json_array_get_length(tracks); ++i) {
      JsonObject* tr = json_array_get_object_element(tracks, i);
      if (json::getString(tr, "participant").value_or("") == who &&
          json::getString(tr, "kind").value_or("") == "video" &&
          !json::getBool(tr, "ended").value_or(false)) {
        out.emplace_back(t, json::getInt(tr, "packets").value_or(0));
      }
    }
  }
  return out;
}

// The longest time (ms) between two samples at or after fromMs with no new packet.
int64_t longestStall(const std::vector<std::pair<int64_t, int64_t>>& s, int64_t fromMs) {
  int64_t longest = 0, since = -1, last = -1;
  for (auto [t, packets] : s) {
    if (t < fromMs) {
      last = packets;
      since = t;
      continue;
    }
    if (packets != last) {
      last = packets;
      since = t;
    } else if (since >= 0) {
      longest = std::max(longest, t - since);
    }
  }
  return longest;
}

int64_t lastTime(Process& p) {
  auto stats = peerEvents(p, "stats");
  return stats.empty() ? -1 : json::getInt(stats.back().get(), "t_ms").value_or(-1);
}

}  // namespace

TEST(FailureIsolation, KilledPeerIsTornDownAloneAndTheOthersKeepReceiving) {
  CarrelStack stack(artifactDir(currentTestName()));
  std::vector<std::string> args{"--room", "fragile", "--json", "--stats-interval-ms", "200"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  auto c = stack.startPeer("cleo", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s),
              idc = waitForWelcome(*c, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty() || idc.empty());
  auto flowing = [&](Process& viewer, const std::string& who) {
    auto s = videoSamples(viewer, who);
    return !s.empty() && s.back().second > 100;
  };
  ASSERT_TRUE(
      eventually([&] { return flowing(*a, idb) && flowing(*b, ida) && flowing(*a, idc); }, 20s));

  int64_t killedAtA = lastTime(*a), killedAtB = lastTime(*b);
  c->kill9();
  auto sawLeave = [&](Process& p) {
    for (auto& e : peerEvents(p, "participant_left")) {
      if (json::getString(e.get(), "participant").value_or("") == idc) return true;
    }
    return false;
  };
  EXPECT_TRUE(eventually([&] { return sawLeave(*a) && sawLeave(*b); }, 30s))
      << "the others were not told the killed peer left";
  std::this_thread::sleep_for(5s);

  // No gap: ana's picture of ben (and ben's of ana) never stood still for a second.
  EXPECT_LT(longestStall(videoSamples(*a, idb), killedAtA), 1000) << a->logPath();
  EXPECT_LT(longestStall(videoSamples(*b, ida), killedAtB), 1000) << b->logPath();
  EXPECT_GT(videoSamples(*a, idb).back().first, killedAtA + 5000) << "ana stopped reporting";
  EXPECT_EQ(a->stop(10s), 0) << a->logPath();
  EXPECT_EQ(b->stop(10s), 0) << b->logPath();
}

namespace {

// A third peer whose transport is broken (--break ice|dtls) joins a room where two others
// stream; the SFU gives up on it after its connect timeout (5 s here) and removes it alone.
void brokenPeerIsTornDownAlone(const char* what) {
  StackOptions options;
  options.sfuArgs = {"--connect-timeout-ms", "5000"};
  CarrelStack stack(artifactDir(currentTestName()), options);
  std::vector<std::string> args{"--room", "fragile", "--json", "--stats-interval-ms", "200"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  auto flowing = [&](Process& viewer, const std::string& who) {
    auto s = videoSamples(viewer, who);
    return !s.empty() && s.back().second > 100;
  };
  ASSERT_TRUE(eventually([&] { return flowing(*a, idb) && flowing(*b, ida); }, 20s));

  int64_t joinedAtA = lastTime(*a), joinedAtB = lastTime(*b);
  std::vector<std::string> brokenArgs = args;
  brokenArgs.insert(brokenArgs.end(), {"--break", what});
  auto c = stack.startPeer("cleo", brokenArgs);
  std::string idc = waitForWelcome(*c, 20s);
  ASSERT_FALSE(idc.empty());
  auto saw = [&](Process& p, const char* event) {
    for (auto& e : peerEvents(p, event)) {
      if (json::getString(e.get(), "participant").value_or("") == idc) return true;
    }
    return false;
  };
  EXPECT_TRUE(eventually([&] { return saw(*a, "participant_joined"); }, 20s)) << a->logPath();
  EXPECT_TRUE(
      eventually([&] { return saw(*a, "participant_left") && saw(*b, "participant_left"); }, 60s))
      << "the peer with broken " << what << " was not torn down; " << stack.dir();
  // It was told why: its media connection failed.
  EXPECT_TRUE(eventually(
      [&] {
        for (auto& e : peerEvents(*c, "error")) {
          if (json::getString(e.get(), "code").value_or("") == "media_unavailable") return true;
        }
        return false;
      },
      10s))
      << c->logPath();
  // Its webrtcbins never came up, so nobody received anything from it.
  EXPECT_TRUE(videoSamples(*a, idc).empty() || videoSamples(*a, idc).back().second == 0);
  std::this_thread::sleep_for(3s);

  // No gap for the others while it came and went.
  EXPECT_LT(longestStall(videoSamples(*a, idb), joinedAtA), 1000) << a->logPath();
  EXPECT_LT(longestStall(videoSamples(*b, ida), joinedAtB), 1000) << b->logPath();
  EXPECT_GT(videoSamples(*a, idb).back().first, joinedAtA + 8000) << "ana stopped reporting";
  c->stop(10s);  // it may have exited already on the error
  EXPECT_EQ(a->stop(10s), 0) << a->logPath();
  EXPECT_EQ(b->stop(10s), 0) << b->logPath();
}

}  // namespace

TEST(FailureIsolation, PeerWhoseIceNeverCompletesIsTornDownAlone) {
  brokenPeerIsTornDownAlone("ice");
}

TEST(FailureIsolation, PeerWhoseDtlsNeverCompletesIsTornDownAlone) {
  brokenPeerIsTornDownAlone("dtls");
}
