// Media events through the control plane with a real carrel-peer publishing to a real
// carrel-sfu: track_published reaches the room and the Redis entry, the SFU's subscribe
// offer reaches a plain WebSocket client (a late joiner's too, though the SFU makes it while
// the client is still joining), and a late joiner sees the publisher's tracks in "joined".
#include <gtest/gtest.h>

#include <thread>

#include "CarrelStack.hpp"
#include "WsClient.hpp"
#include "control_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

bool isType(JsonObject* o, const char* t) {
  return str(o, "type") == t;
}

void enter(WsClient& c, const std::string& url, const std::string& name, const std::string& room,
           JsonObjectPtr* joined = nullptr) {
  ASSERT_TRUE(c.connect(url));
  ASSERT_FALSE(c.hello(name).empty());
  json::Object j;
  j.set("type", "join").set("room", room);
  c.send(j);
  auto got = c.waitForType("joined", Ms(10000));
  ASSERT_TRUE(got);
  if (joined) *joined = std::move(got);
}

size_t storedTracks(int redisPort, const std::string& room, const std::string& participant) {
  std::string v = redisCli(redisPort, "HGET carrel:room:" + room + ":participants " + participant);
  JsonObjectPtr o = json::parseObject(v, nullptr);
  JsonArray* t = o ? json::getArray(o.get(), "tracks") : nullptr;
  return t ? json_array_get_length(t) : 0;
}

}  // namespace

TEST(ControlMediaEvents, TracksAndSubscribeOffersReachClients) {
  StackOptions o;
  o.membersWithoutMedia = true;  // the watchers are WsClients
  CarrelStack stack(artifactDir("ControlMediaEvents"), o);
  WsClient watcher;
  enter(watcher, stack.wsUrl(), "Watcher", "media");
  auto pub = stack.startPeer("Pub", {"--room", "media", "--duration", "60", "--json"});

  auto joined = watcher.waitFor(
      [](JsonObject* o) { return isType(o, "participant_joined") && str(o, "name") == "Pub"; },
      Ms(15000));
  ASSERT_TRUE(joined) << "see " << pub->logPath();
  std::string pubId = str(joined.get(), "participant");
  auto video = watcher.waitFor(
      [&](JsonObject* o) {
        return isType(o, "track_published") && str(o, "participant") == pubId &&
               str(o, "kind") == "video";
      },
      Ms(20000));
  ASSERT_TRUE(video) << "no track_published for the camera; see " << pub->logPath();
  EXPECT_FALSE(str(video.get(), "track").empty());
  // The publisher's offer/answer and candidates went through control both ways: its publish
  // connection reports "connected" (a connection_state event relayed from the SFU).
  std::string connected = pub->waitForLine(
      [](const std::string& l) {
        return l.find("\"connection_state\"") != std::string::npos &&
               l.find("\"publish\"") != std::string::npos &&
               l.find("\"connected\"") != std::string::npos;
      },
      std::chrono::seconds(20));
  EXPECT_FALSE(connected.empty()) << "see " << pub->logPath();

  // The SFU's first offer to the watcher may be made before the publisher's SSRCs are known
  // (then its track list is empty); whatever it lists must name participants, not peers.
  auto offer = watcher.waitForType("subscribe_offer", Ms(20000));
  ASSERT_TRUE(offer) << "the SFU's offer did not reach the client";
  EXPECT_EQ(str(offer.get(), "sdp").rfind("v=0", 0), 0u);
  ASSERT_TRUE(json::getArray(offer.get(), "tracks"));

  // The published tracks are in the shared entry, so a late joiner sees them in "joined".
  for (int i = 0; i < 100 && storedTracks(stack.redisPort(), "media", pubId) == 0; ++i) {
    std::this_thread::sleep_for(Ms(50));
  }
  EXPECT_GE(storedTracks(stack.redisPort(), "media", pubId), 1u);
  WsClient late;
  JsonObjectPtr lateJoined;
  enter(late, stack.wsUrl(), "Late", "media", &lateJoined);
  JsonArray* list = json::getArray(lateJoined.get(), "participants");
  ASSERT_TRUE(list);
  bool sawPubTracks = false;
  for (guint i = 0; i < json_array_get_length(list); ++i) {
    JsonObject* p = json_array_get_object_element(list, i);
    if (str(p, "participant") != pubId) continue;
    JsonArray* t = json::getArray(p, "tracks");
    sawPubTracks = t && json_array_get_length(t) >= 1;
  }
  EXPECT_TRUE(sawPubTracks) << json::stringify(lateJoined.get());
  auto lateOffer = late.waitForType("subscribe_offer", Ms(20000));
  ASSERT_TRUE(lateOffer) << "the late joiner got no offer";
  JsonArray* tracks = json::getArray(lateOffer.get(), "tracks");
  ASSERT_TRUE(tracks);
  bool fromPub = false;
  for (guint i = 0; i < json_array_get_length(tracks); ++i) {
    JsonObject* t = json_array_get_object_element(tracks, i);
    EXPECT_FALSE(str(t, "mid").empty());
    EXPECT_FALSE(json_object_has_member(t, "peer"));
    if (str(t, "participant") == pubId) fromPub = true;
  }
  EXPECT_GE(json_array_get_length(tracks), 1u);
  EXPECT_TRUE(fromPub) << json::stringify(lateOffer.get());

  pub->stop();
  auto left = watcher.waitFor(
      [&](JsonObject* o) {
        return isType(o, "participant_left") && str(o, "participant") == pubId;
      },
      Ms(10000));
  ASSERT_TRUE(left);
  EXPECT_EQ(redisCli(stack.redisPort(), "HEXISTS carrel:room:media:participants " + pubId), "0");
}
