// Control-plane behaviour that needs a media node misbehaving on cue (see control_FakeSfu.hpp):
// least-loaded placement and re-placement off a dead node, SFU timeouts and errors mapped to
// typed client errors, SFU events relayed (tracks stored in Redis and announced, offers
// renamed, candidates and states passed on), and peer.failed turned into a leave.
#include <gtest/gtest.h>

#include <thread>

#include "RedisServer.hpp"
#include "WsClient.hpp"
#include "control_FakeSfu.hpp"
#include "control_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

bool isType(JsonObject* o, const char* t) {
  return str(o, "type") == t;
}

std::string enter(WsClient& c, const std::string& url, const std::string& name,
                  const std::string& room) {
  EXPECT_TRUE(c.connect(url));
  std::string id = c.hello(name);
  json::Object j;
  j.set("type", "join").set("room", room);
  c.send(j);
  EXPECT_TRUE(c.waitForType("joined", Ms(10000))) << name;
  return id;
}

void sendJson(WsClient& c, const std::string& text) {
  c.send(text);
}

}  // namespace

TEST(ControlFakeSfu, PlacementPicksLeastLoadedAndReplacesADeadNode) {
  std::string dir = artifactDir("ControlFakeSfu.Placement");
  RedisServer redis(dir);
  auto busy = std::make_unique<FakeSfu>(redis.port(), "sfu-busy", 7);
  auto idle = std::make_unique<FakeSfu>(redis.port(), "sfu-idle", 1);
  auto ctl = startControl(dir, redis.port(), "ctl-place");
  WsClient a;
  std::string ida = enter(a, ctl.wsUrl(), "Ana", "placed");
  EXPECT_EQ(redisCli(redis.port(), "GET carrel:room:placed:sfu"), "sfu-idle");
  EXPECT_EQ(idle->waitPeer(ida).room, "placed");

  // The node dies (its key expires): the next join places the room again, on a live node.
  idle->expire();
  WsClient b;
  std::string idb = enter(b, ctl.wsUrl(), "Bo", "placed");
  EXPECT_EQ(redisCli(redis.port(), "GET carrel:room:placed:sfu"), "sfu-busy");
  EXPECT_EQ(busy->waitPeer(idb).room, "placed");
}

TEST(ControlFakeSfu, TimeoutsAndErrorsBecomeTypedClientErrors) {
  std::string dir = artifactDir("ControlFakeSfu.Errors");
  RedisServer redis(dir);
  FakeSfu sfu(redis.port(), "sfu-fake", 0);
  auto ctl = startControl(dir, redis.port(), "ctl-errors", {"--sfu-timeout-ms", "700"});
  WsClient a, b;
  enter(b, ctl.wsUrl(), "Bo", "errs");
  enter(a, ctl.wsUrl(), "Ana", "errs");

  sendJson(a, R"({"type":"publish_offer","sdp":"timeout","id":"t"})");
  auto t = a.waitForError("media_timeout", "t", Ms(5000));
  EXPECT_TRUE(t);
  sendJson(a, R"({"type":"publish_offer","sdp":"fail:bad_sdp","id":"s"})");
  EXPECT_TRUE(a.waitForError("bad_sdp", "s"));
  sendJson(a, R"({"type":"publish_offer","sdp":"fail:no_such_peer","id":"n"})");
  EXPECT_TRUE(a.waitForError("no_such_connection", "n"));
  sendJson(a, R"({"type":"publish_offer","sdp":"fail:unavailable","id":"u"})");
  EXPECT_TRUE(a.waitForError("media_unavailable", "u"));
  sendJson(a, R"({"type":"publish_offer","sdp":"fail:peer_exists","id":"i"})");
  auto internal = a.waitForError("internal", "i");
  ASSERT_TRUE(internal);
  EXPECT_EQ(str(internal.get(), "message").find("scripted"), std::string::npos)
      << "internal details stay in the log";
  sendJson(a, R"({"type":"subscribe_answer","sdp":"v=0","id":"w"})");
  EXPECT_TRUE(a.waitForError("no_such_connection", "w"));
  sendJson(
      a,
      R"({"type":"candidate","conn":"publish","candidate":"garbage","sdp_mline_index":0,"id":"c"})");
  EXPECT_TRUE(a.waitForError("bad_candidate", "c"));

  sendJson(a, R"({"type":"publish_offer","sdp":"v=0 offer","id":"ok"})");
  auto answer = a.waitForType("publish_answer");
  ASSERT_TRUE(answer);
  EXPECT_EQ(str(answer.get(), "sdp"), "v=0 answer to v=0 offer");
  EXPECT_EQ(str(answer.get(), "ref"), "ok");

  EXPECT_TRUE(b.noneWithin([](JsonObject* o) { return isType(o, "error"); }, Ms(200)));
  json::Object chat;
  chat.set("type", "chat").set("text", "fine here");
  b.send(chat);
  EXPECT_TRUE(a.waitFor([](JsonObject* o) { return isType(o, "chat"); }));
}

TEST(ControlFakeSfu, EventsAreRelayedAndStored) {
  std::string dir = artifactDir("ControlFakeSfu.Events");
  RedisServer redis(dir);
  FakeSfu sfu(redis.port(), "sfu-fake", 0);
  auto ctl = startControl(dir, redis.port(), "ctl-events");
  WsClient a, b;
  std::string ida = enter(a, ctl.wsUrl(), "Ana", "ev");
  std::string idb = enter(b, ctl.wsUrl(), "Bo", "ev");

  sfu.emit(ida, "track.published", R"({"track":"v0","kind":"video"})");
  for (WsClient* c : {&a, &b}) {
    auto tp = c->waitForType("track_published");
    ASSERT_TRUE(tp);
    EXPECT_EQ(str(tp.get(), "participant"), ida);
    EXPECT_EQ(str(tp.get(), "track"), "v0");
    EXPECT_EQ(str(tp.get(), "kind"), "video");
  }
  std::string entry = redisCli(redis.port(), "HGET carrel:room:ev:participants " + ida);
  JsonObjectPtr e = json::parseObject(entry, nullptr);
  ASSERT_TRUE(e) << entry;
  EXPECT_EQ(str(e.get(), "name"), "Ana");
  EXPECT_EQ(str(e.get(), "node"), "ctl-events");
  JsonArray* tracks = json::getArray(e.get(), "tracks");
  ASSERT_TRUE(tracks);
  ASSERT_EQ(json_array_get_length(tracks), 1u);
  EXPECT_EQ(str(json_array_get_object_element(tracks, 0), "track"), "v0");

  sfu.emit(idb, "peer.subscribe_offer",
           R"({"sdp":"v=0 sub","tracks":[{"mid":"0","peer":")" + ida +
               R"(","track":"v0","kind":"video"}]})");
  auto offer = b.waitForType("subscribe_offer");
  ASSERT_TRUE(offer);
  EXPECT_EQ(str(offer.get(), "sdp"), "v=0 sub");
  JsonArray* ot = json::getArray(offer.get(), "tracks");
  ASSERT_TRUE(ot);
  ASSERT_EQ(json_array_get_length(ot), 1u);
  EXPECT_EQ(str(json_array_get_object_element(ot, 0), "participant"), ida);
  EXPECT_TRUE(a.noneWithin([](JsonObject* o) { return isType(o, "subscribe_offer"); }, Ms(100)))
      << "an offer goes to its peer only";

  sfu.emit(
      ida, "peer.candidate",
      R"({"conn":"publish","candidate":"candidate:9 1 UDP 1 127.0.0.1 9 typ host","sdp_mline_index":1})");
  auto cand = a.waitForType("candidate");
  ASSERT_TRUE(cand);
  EXPECT_EQ(str(cand.get(), "conn"), "publish");
  EXPECT_EQ(json::getInt(cand.get(), "sdp_mline_index"), 1);
  sfu.emit(ida, "peer.connection_state", R"({"conn":"publish","state":"connected"})");
  auto st = a.waitForType("connection_state");
  ASSERT_TRUE(st);
  EXPECT_EQ(str(st.get(), "state"), "connected");

  sfu.emit(ida, "track.ended", R"({"track":"v0","kind":"video"})");
  auto te = b.waitForType("track_ended");
  ASSERT_TRUE(te);
  EXPECT_EQ(str(te.get(), "participant"), ida);
  e = json::parseObject(redisCli(redis.port(), "HGET carrel:room:ev:participants " + ida), nullptr);
  ASSERT_TRUE(e);
  EXPECT_EQ(json_array_get_length(json::getArray(e.get(), "tracks")), 0u);

  // The media of a peer fails: it is told, it is out of the room, the others see it leave.
  sfu.emit(ida, "peer.failed", R"({"reason":"ICE failed"})");
  auto err = a.waitForError("media_unavailable");
  ASSERT_TRUE(err);
  EXPECT_NE(str(err.get(), "message").find("ICE failed"), std::string::npos);
  EXPECT_TRUE(a.waitForType("left"));
  auto pl = b.waitForType("participant_left");
  ASSERT_TRUE(pl);
  EXPECT_EQ(str(pl.get(), "participant"), ida);
  EXPECT_EQ(str(pl.get(), "reason"), "disconnected");
  EXPECT_EQ(redisCli(redis.port(), "HEXISTS carrel:room:ev:participants " + ida), "0");

  // Events for a peer that is gone are dropped, not delivered to anyone.
  sfu.emit(ida, "peer.connection_state", R"({"conn":"publish","state":"closed"})");
  EXPECT_TRUE(a.noneWithin([](JsonObject* o) { return str(o, "state") == "closed"; }, Ms(300)));
}
