// Failure isolation: one carrel-peer killed with SIGKILL (no leave, no close handshake), one
// whose ICE or DTLS never completes or that never answers (carrel-peer --break), or one whose
// part of the SFU pipeline fails (a test-only injected element error), is torn down alone;
// the others are told it left and keep receiving each other without a gap.
#include <gtest/gtest.h>

#include <thread>

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

// Whether p printed this event about that participant.
bool sawAbout(Process& p, const char* event, const std::string& participant) {
  for (auto& e : peerEvents(p, event)) {
    if (json::getString(e.get(), "participant").value_or("") == participant) return true;
  }
  return false;
}

bool sawError(Process& p, const char* code) {
  for (auto& e : peerEvents(p, "error")) {
    if (json::getString(e.get(), "code").value_or("") == code) return true;
  }
  return false;
}

bool flowing(Process& viewer, const std::string& who) {
  auto s = videoSamples(viewer, who);
  return !s.empty() && s.back().second > 100;
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

  // Fault injection is off unless the SFU was started with the test-only flag.
  SfuProbe sfu(stack.redisPort());
  ASSERT_TRUE(sfu.ready());
  json::Object req;
  req.set("room", "fragile").set("peer", ida).set("conn", "subscribe");
  EXPECT_EQ(sfu.call(stack.sfuNodeId(), "debug.fail_peer", req.take()), "unavailable");
  EXPECT_EQ(a->stop(10s), 0) << a->logPath();
  EXPECT_EQ(b->stop(10s), 0) << b->logPath();
}

namespace {

// A third peer whose transport is broken (--break ice|dtls), or that never answers the SFU's
// subscribe offer (--break answer), joins a room where two others stream; the SFU gives up on
// it after its connect timeout (5 s here, counted from the offer) and removes it alone.
void brokenPeerIsTornDownAlone(const char* what) {
  StackOptions options;
  options.sfuArgs = {"--connect-timeout-ms", "5000"};
  CarrelStack stack(artifactDir(currentTestName()), options);
  std::vector<std::string> args{"--room", "fragile", "--json", "--stats-interval-ms", "200"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
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
  EXPECT_TRUE(eventually([&] { return sawError(*c, "media_unavailable"); }, 10s)) << c->logPath();
  if (std::string(what) == "answer") {
    bool said = false;
    for (auto& e : peerEvents(*c, "error")) {
      said = said || json::getString(e.get(), "message").value_or("").find("never answered") !=
                         std::string::npos;
    }
    EXPECT_TRUE(said) << "the error does not say the offer was never answered: " << c->logPath();
  }
  // Its webrtcbins never came up, so nobody received anything from it. (One that only
  // never answers publishes fine until it goes.)
  if (std::string(what) != "answer") {
    EXPECT_TRUE(videoSamples(*a, idc).empty() || videoSamples(*a, idc).back().second == 0);
  }
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

TEST(FailureIsolation, PeerThatNeverAnswersIsTornDownAlone) {
  brokenPeerIsTornDownAlone("answer");
}

namespace {

// Ana, Ben and Cleo stream to each other; an element inside Cleo's publish or subscribe
// webrtcbin then fails. The failure is INJECTED (test-only: the SFU runs with
// --test-fault-injection and the test sends debug.fail_peer): the transport's nicesink
// (subscribe) or nicesrc (publish) posts a real GST_ELEMENT_ERROR on the room pipeline's bus
// and fails every later packet with GST_FLOW_ERROR, as a broken element does. A failing
// subscriber is the dangerous case: its error flows back up its branches into the publishers'
// tees, which would stop Ana's and Ben's streams for everyone. how "not_negotiated" (also
// injected) makes Cleo's subscribe webrtcbin refuse every buffer its branches push with
// not-negotiated and post nothing, as webrtcbin does with caps it does not accept.
void pipelineErrorStaysWithItsPeer(const char* conn, const char* how = "element_error") {
  StackOptions options;
  options.sfuArgs = {"--test-fault-injection"};
  CarrelStack stack(artifactDir(currentTestName()), options);
  std::vector<std::string> args{"--room", "fragile", "--json", "--stats-interval-ms", "200"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  auto c = stack.startPeer("cleo", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s),
              idc = waitForWelcome(*c, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty() || idc.empty());
  ASSERT_TRUE(eventually(
      [&] {
        return flowing(*a, idb) && flowing(*b, ida) && flowing(*a, idc) && flowing(*c, ida) &&
               flowing(*c, idb);
      },
      30s))
      << stack.dir();
  SfuProbe sfu(stack.redisPort());
  ASSERT_TRUE(sfu.ready());

  int64_t failedAtA = lastTime(*a), failedAtB = lastTime(*b);
  json::Object req;
  req.set("room", "fragile").set("peer", idc).set("conn", conn).set("how", how);
  ASSERT_EQ(sfu.call(stack.sfuNodeId(), "debug.fail_peer", req.take()), "");

  EXPECT_TRUE(eventually(
      [&] {
        return sawAbout(*a, "participant_left", idc) && sawAbout(*b, "participant_left", idc);
      },
      30s))
      << "the peer whose pipeline failed was not torn down; " << stack.dir();
  EXPECT_TRUE(eventually([&] { return sawError(*c, "media_unavailable"); }, 10s)) << c->logPath();
  std::this_thread::sleep_for(3s);
  // Only Cleo went: Ana and Ben are still there for each other.
  EXPECT_FALSE(sawAbout(*a, "participant_left", idb)) << a->logPath();
  EXPECT_FALSE(sawAbout(*b, "participant_left", ida)) << b->logPath();

  // No gap for the others across the error.
  EXPECT_LT(longestStall(videoSamples(*a, idb), failedAtA), 1000) << a->logPath();
  EXPECT_LT(longestStall(videoSamples(*b, ida), failedAtB), 1000) << b->logPath();
  EXPECT_GT(videoSamples(*a, idb).back().first, failedAtA + 3000) << "ana stopped reporting";

  // The SFU lives on: a newcomer joins, receives and is received.
  auto d = stack.startPeer("dora", args);
  std::string idd = waitForWelcome(*d, 20s);
  ASSERT_FALSE(idd.empty());
  EXPECT_TRUE(eventually([&] { return flowing(*d, ida) && flowing(*a, idd); }, 30s))
      << d->logPath();
  EXPECT_GT(sfu.videoStreams(stack.sfuNodeId()), 0);
  c->stop(10s);  // it may have exited already on the error
  EXPECT_EQ(d->stop(10s), 0) << d->logPath();
  EXPECT_EQ(a->stop(10s), 0) << a->logPath();
  EXPECT_EQ(b->stop(10s), 0) << b->logPath();
}

}  // namespace

TEST(FailureIsolation, SubscribePipelineErrorTearsDownThatPeerAlone) {
  pipelineErrorStaysWithItsPeer("subscribe");
}

TEST(FailureIsolation, SubscriberRefusingItsInputTearsDownThatPeerAlone) {
  pipelineErrorStaysWithItsPeer("subscribe", "not_negotiated");
}

TEST(FailureIsolation, PublishPipelineErrorTearsDownThatPeerAlone) {
  pipelineErrorStaysWithItsPeer("publish");
}

// A peer answers the SFU's first subscribe offer, receives, and then leaves the next offer
// (a newcomer's tracks) unanswered (carrel-peer --break answer-later): the SFU gives up on it
// after the connect timeout (5 s) counted from that offer, and the others are untouched.
TEST(FailureIsolation, PeerThatStopsAnsweringReOffersIsTornDownAlone) {
  StackOptions options;
  options.sfuArgs = {"--connect-timeout-ms", "5000"};
  CarrelStack stack(artifactDir(currentTestName()), options);
  std::vector<std::string> args{"--room", "fragile", "--json", "--stats-interval-ms", "200"};
  auto a = stack.startPeer("ana", args);
  auto b = stack.startPeer("ben", args);
  std::string ida = waitForWelcome(*a, 20s), idb = waitForWelcome(*b, 20s);
  ASSERT_FALSE(ida.empty() || idb.empty());
  ASSERT_TRUE(eventually([&] { return flowing(*a, idb) && flowing(*b, ida); }, 20s));
  std::vector<std::string> lateArgs = args;
  lateArgs.insert(lateArgs.end(), {"--break", "answer-later"});
  auto c = stack.startPeer("cleo", lateArgs);
  std::string idc = waitForWelcome(*c, 20s);
  ASSERT_FALSE(idc.empty());
  ASSERT_TRUE(eventually([&] { return flowing(*c, ida) && flowing(*c, idb); }, 30s))
      << c->logPath();
  EXPECT_FALSE(sawError(*c, "media_unavailable")) << "torn down before any re-offer";

  int64_t fromA = lastTime(*a), fromB = lastTime(*b);
  auto d = stack.startPeer("dora", args);  // her tracks make the SFU offer to Cleo again
  std::string idd = waitForWelcome(*d, 20s);
  ASSERT_FALSE(idd.empty());
  EXPECT_TRUE(eventually(
      [&] {
        return sawAbout(*a, "participant_left", idc) && sawAbout(*d, "participant_left", idc);
      },
      60s))
      << "the peer that stopped answering was not torn down; " << stack.dir();
  bool said = false;
  for (auto& e : peerEvents(*c, "error")) {
    said = said || json::getString(e.get(), "message").value_or("").find("did not answer") !=
                       std::string::npos;
  }
  EXPECT_TRUE(said) << c->logPath();
  std::this_thread::sleep_for(2s);
  EXPECT_LT(longestStall(videoSamples(*a, idb), fromA), 1000) << a->logPath();
  EXPECT_LT(longestStall(videoSamples(*b, ida), fromB), 1000) << b->logPath();
  EXPECT_TRUE(flowing(*a, idd) && flowing(*d, ida)) << d->logPath();
  EXPECT_FALSE(sawAbout(*a, "participant_left", idd));
  c->stop(10s);
  EXPECT_EQ(d->stop(10s), 0) << d->logPath();
  EXPECT_EQ(a->stop(10s), 0) << a->logPath();
  EXPECT_EQ(b->stop(10s), 0) << b->logPath();
}
