// Self mute: a participant says its microphone or camera is muted, and everyone in the room
// (itself included, as confirmation) is told, through the real control plane and Redis.
#include <gtest/gtest.h>

#include "CarrelStack.hpp"
#include "Json.hpp"
#include "MediaTestUtil.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

std::string enter(WsClient& c, const std::string& url, const std::string& name) {
  EXPECT_TRUE(c.connect(url));
  std::string id = c.hello(name);
  json::Object j;
  j.set("type", "join").set("room", "muting");
  c.send(j);
  EXPECT_TRUE(c.waitForType("joined", Ms(10000))) << name;
  return id;
}

bool isMuted(JsonObject* o, const std::string& who, const char* kind, bool muted) {
  return json::getString(o, "type").value_or("") == "track_muted" &&
         json::getString(o, "participant").value_or("") == who &&
         json::getString(o, "kind").value_or("") == kind &&
         json::getBool(o, "muted").value_or(!muted) == muted;
}

}  // namespace

TEST(SelfMute, MuteAndUnmuteAreShownToEveryoneInTheRoom) {
  CarrelStack stack(artifactDir(currentTestName()));
  WsClient a, b;
  std::string ida = enter(a, stack.wsUrl(), "Ana");
  std::string idb = enter(b, stack.wsUrl(), "Ben");
  ASSERT_FALSE(ida.empty() || idb.empty());

  json::Object mute;
  mute.set("type", "mute").set("kind", "audio").setBool("muted", true);
  a.send(mute);
  EXPECT_TRUE(b.waitFor([&](JsonObject* o) { return isMuted(o, ida, "audio", true); }, Ms(5000)));
  EXPECT_TRUE(a.waitFor([&](JsonObject* o) { return isMuted(o, ida, "audio", true); }, Ms(5000)));

  json::Object camera;
  camera.set("type", "mute").set("kind", "video").setBool("muted", true);
  b.send(camera);
  EXPECT_TRUE(a.waitFor([&](JsonObject* o) { return isMuted(o, idb, "video", true); }, Ms(5000)));

  json::Object unmute;
  unmute.set("type", "mute").set("kind", "audio").setBool("muted", false);
  a.send(unmute);
  EXPECT_TRUE(b.waitFor([&](JsonObject* o) { return isMuted(o, ida, "audio", false); }, Ms(5000)));

  json::Object bad;
  bad.set("type", "mute").set("kind", "smell").setBool("muted", true).set("id", "m1");
  a.send(bad);
  EXPECT_TRUE(a.waitForError("invalid_field", "m1"));
  EXPECT_TRUE(b.noneWithin(
      [](JsonObject* o) { return json::getString(o, "kind").value_or("") == "smell"; }, Ms(500)));
}
