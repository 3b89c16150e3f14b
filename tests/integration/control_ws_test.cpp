// The client protocol over /ws through real Redis + carrel-sfu + carrel-control. Every bad
// input gets its typed error to the sender alone while a second client in the same room keeps
// working (its chat still arrives both ways).
#include <gtest/gtest.h>

#include <thread>

#include "CarrelStack.hpp"
#include "RedisServer.hpp"
#include "WsClient.hpp"
#include "control_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

bool isType(JsonObject* o, const char* t) {
  return str(o, "type") == t;
}

class ControlWs : public ::testing::Test {
 protected:
  // Started by the first test rather than in SetUpTestSuite: a failure there would make
  // gtest report the tests as skipped, not failed.
  void SetUp() override {
    // Without a reconnect grace a closed socket leaves at once, as these tests expect;
    // control_reconnect_test.cpp covers the grace.
    StackOptions o;
    o.controlArgs = {"--reconnect-grace-ms", "0"};
    if (!stack_) stack_ = new CarrelStack(artifactDir("ControlWs"), o);
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  // A client that said hello and joined room; returns its participant id.
  std::string enter(WsClient& c, const std::string& name, const std::string& room) {
    std::string error;
    EXPECT_TRUE(c.connect(stack_->wsUrl(), Ms(5000), &error)) << error;
    std::string id = c.hello(name);
    EXPECT_FALSE(id.empty());
    json::Object j;
    j.set("type", "join").set("room", room);
    c.send(j);
    EXPECT_TRUE(c.waitForType("joined", Ms(10000))) << "joining " << room;
    return id;
  }

  void chat(WsClient& c, const std::string& text) {
    json::Object m;
    m.set("type", "chat").set("text", text);
    c.send(m);
  }

  static JsonObjectPtr waitChat(WsClient& c, const std::string& text) {
    return c.waitFor([&](JsonObject* o) { return isType(o, "chat") && str(o, "text") == text; });
  }

  // After a bad input from `bad`: the good client saw no error and chat still flows both ways
  // (from `bad` too, unless the server had to close its socket).
  void roomGoesOn(WsClient& bad, WsClient& good, const std::string& tag, bool badStillOpen = true) {
    EXPECT_TRUE(good.noneWithin([](JsonObject* o) { return isType(o, "error"); }, Ms(200)))
        << tag << ": the other client got an error";
    chat(good, "still here " + tag);
    EXPECT_TRUE(waitChat(good, "still here " + tag)) << tag;
    if (badStillOpen) {
      EXPECT_TRUE(waitChat(bad, "still here " + tag)) << tag;
      chat(bad, "me too " + tag);
      EXPECT_TRUE(waitChat(good, "me too " + tag)) << tag;
    }
  }

  static CarrelStack* stack_;
};

CarrelStack* ControlWs::stack_ = nullptr;

}  // namespace

TEST_F(ControlWs, HelloJoinChatLeave) {
  WsClient a, b;
  std::string ida = enter(a, "Ana", "hjcl");
  ASSERT_TRUE(b.connect(stack_->wsUrl()));
  json::Object h;
  h.set("type", "hello").set("name", "Bo").set("id", "h1");
  b.send(h);
  auto welcome = b.waitForType("welcome");
  ASSERT_TRUE(welcome);
  EXPECT_EQ(str(welcome.get(), "ref"), "h1");
  EXPECT_EQ(json::getInt(welcome.get(), "protocol"), 1);
  EXPECT_TRUE(json::getArray(welcome.get(), "ice_servers"));
  int64_t now = g_get_real_time() / 1000;
  EXPECT_LT(std::llabs(json::getInt(welcome.get(), "server_time").value_or(0) - now), 5000);
  std::string idb = str(welcome.get(), "participant");
  ASSERT_FALSE(idb.empty());
  EXPECT_NE(idb, ida);

  json::Object ping;
  ping.set("type", "ping").set("id", "p");
  b.send(ping);
  auto pong = b.waitForType("pong");
  ASSERT_TRUE(pong);
  EXPECT_EQ(str(pong.get(), "ref"), "p");

  json::Object j;
  j.set("type", "join").set("room", "hjcl").set("id", "j1");
  b.send(j);
  auto joined = b.waitForType("joined", Ms(10000));
  ASSERT_TRUE(joined);
  EXPECT_EQ(str(joined.get(), "ref"), "j1");
  EXPECT_EQ(str(joined.get(), "room"), "hjcl");
  JsonArray* others = json::getArray(joined.get(), "participants");
  ASSERT_TRUE(others);
  ASSERT_EQ(json_array_get_length(others), 1u);
  JsonObject* first = json_array_get_object_element(others, 0);
  EXPECT_EQ(str(first, "participant"), ida);
  EXPECT_EQ(str(first, "name"), "Ana");
  EXPECT_TRUE(json::getArray(first, "tracks"));

  auto pj = a.waitForType("participant_joined");
  ASSERT_TRUE(pj);
  EXPECT_EQ(str(pj.get(), "participant"), idb);
  EXPECT_EQ(str(pj.get(), "name"), "Bo");
  EXPECT_TRUE(b.noneWithin([](JsonObject* o) { return isType(o, "participant_joined"); }, Ms(200)))
      << "a participant is not announced to itself";

  chat(a, "Who has the notes?");
  for (WsClient* c : {&a, &b}) {
    auto m = waitChat(*c, "Who has the notes?");
    ASSERT_TRUE(m);
    JsonObject* from = json::getObject(m.get(), "from");
    ASSERT_TRUE(from);
    EXPECT_EQ(str(from, "participant"), ida);
    EXPECT_EQ(str(from, "name"), "Ana");
    EXPECT_LT(std::llabs(json::getInt(m.get(), "ts").value_or(0) - now), 5000);
  }

  EXPECT_EQ(redisCli(stack_->redisPort(), "HLEN carrel:room:hjcl:participants"), "2");
  EXPECT_EQ(redisCli(stack_->redisPort(), "GET carrel:room:hjcl:sfu"), stack_->sfuNodeId());

  json::Object again;
  again.set("type", "join").set("room", "other").set("id", "j2");
  b.send(again);
  EXPECT_TRUE(b.waitForError("already_in_room", "j2"));

  json::Object leave;
  leave.set("type", "leave").set("id", "l1");
  b.send(leave);
  auto left = b.waitForType("left");
  ASSERT_TRUE(left);
  EXPECT_EQ(str(left.get(), "room"), "hjcl");
  EXPECT_EQ(str(left.get(), "ref"), "l1");
  auto pl = a.waitForType("participant_left");
  ASSERT_TRUE(pl);
  EXPECT_EQ(str(pl.get(), "participant"), idb);
  EXPECT_EQ(str(pl.get(), "reason"), "left");
  json::Object c2;
  c2.set("type", "chat").set("text", "x").set("id", "c2");
  b.send(c2);
  EXPECT_TRUE(b.waitForError("not_in_room", "c2"));

  a.close();
  EXPECT_TRUE(a.waitClosed());
  // b is in no room now; a's leave by closing must still reach Redis.
  for (int i = 0;
       i < 50 && redisCli(stack_->redisPort(), "HLEN carrel:room:hjcl:participants") != "0"; ++i) {
    std::this_thread::sleep_for(Ms(50));
  }
  EXPECT_EQ(redisCli(stack_->redisPort(), "HLEN carrel:room:hjcl:participants"), "0");
}

TEST_F(ControlWs, DisconnectIsAnnounced) {
  WsClient a;
  auto b = std::make_unique<WsClient>();
  enter(a, "Ana", "disc");
  std::string idb = enter(*b, "Bo", "disc");
  b.reset();  // drops the socket
  auto pl = a.waitFor(
      [&](JsonObject* o) { return isType(o, "participant_left") && str(o, "participant") == idb; });
  ASSERT_TRUE(pl);
  EXPECT_EQ(str(pl.get(), "reason"), "disconnected");
}

TEST_F(ControlWs, MessagesBeforeHello) {
  WsClient a, b;
  enter(a, "Ana", "prehello");
  ASSERT_TRUE(b.connect(stack_->wsUrl()));
  json::Object j;
  j.set("type", "join").set("room", "prehello").set("id", "early");
  b.send(j);
  EXPECT_TRUE(b.waitForError("not_hello", "early"));
  json::Object c;
  c.set("type", "chat").set("text", "hi");
  b.send(c);
  EXPECT_TRUE(b.waitForError("not_hello"));
  ASSERT_FALSE(b.hello("Bo").empty());  // the connection is still usable
  json::Object h;
  h.set("type", "hello").set("name", "Bo").set("id", "h2");
  b.send(h);
  EXPECT_TRUE(b.waitForError("already_hello", "h2"));
  EXPECT_TRUE(a.noneWithin([](JsonObject* o) { return isType(o, "error"); }, Ms(200)));
}

TEST_F(ControlWs, BadFramesGetTypedErrorsAndTheRoomGoesOn) {
  WsClient bad, good;
  enter(good, "Good", "badframes");
  enter(bad, "Bad", "badframes");

  bad.send("{not json");
  EXPECT_TRUE(bad.waitForError("bad_json"));
  roomGoesOn(bad, good, "malformed");

  bad.send("[1,2,3]");
  EXPECT_TRUE(bad.waitForError("bad_json"));
  bad.send(R"({"no_type":1})");
  EXPECT_TRUE(bad.waitForError("bad_json"));
  bad.sendBinary(R"({"type":"ping"})");
  EXPECT_TRUE(bad.waitForError("bad_json"));
  roomGoesOn(bad, good, "binary");

  bad.send(R"({"type":"teleport","id":"u1"})");
  EXPECT_TRUE(bad.waitForError("unknown_type", "u1"));
  roomGoesOn(bad, good, "unknown");

  struct Case {
    const char* text;
    const char* ref;
  };
  for (
      Case c :
      {Case{R"({"type":"chat","id":"f1"})", "f1"},
       Case{R"({"type":"chat","text":42,"id":"f2"})", "f2"},
       Case{R"({"type":"chat","text":"","id":"f3"})", "f3"},
       Case{R"({"type":"join","room":"bad room!","id":"f4"})", "f4"},
       Case{
           R"({"type":"candidate","conn":"sideways","candidate":"","sdp_mline_index":0,"id":"f5"})",
           "f5"},
       Case{R"({"type":"publish_offer","id":"f6"})", "f6"}}) {
    bad.send(c.text);
    auto e = bad.waitForError("invalid_field", c.ref);
    EXPECT_TRUE(e) << c.text;
    if (e) {
      EXPECT_FALSE(str(e.get(), "message").empty());
    }
  }
  std::string longText(2001, 'x');
  json::Object lc;
  lc.set("type", "chat").set("text", longText).set("id", "f7");
  bad.send(lc);
  EXPECT_TRUE(bad.waitForError("invalid_field", "f7"));
  roomGoesOn(bad, good, "fields");
}

TEST_F(ControlWs, GarbageSdpIsBadSdp) {
  WsClient bad, good;
  enter(good, "Good", "garbagesdp");
  enter(bad, "Bad", "garbagesdp");
  json::Object o;
  o.set("type", "publish_offer").set("sdp", "this is not an SDP at all").set("id", "s1");
  bad.send(o);
  auto e = bad.waitForError("bad_sdp", "s1", Ms(10000));
  EXPECT_TRUE(e) << "received: " << ::testing::PrintToString(bad.received());
  roomGoesOn(bad, good, "sdp");
}

TEST_F(ControlWs, CandidateForAMissingConnection) {
  WsClient bad, good;
  enter(good, "Good", "nocand");
  enter(bad, "Bad", "nocand");
  // No subscribe offer was ever made to this client: its subscribe connection has nothing to
  // take a candidate for.
  json::Object o;
  o.set("type", "candidate")
      .set("conn", "subscribe")
      .set("candidate", "candidate:1 1 UDP 2122252543 127.0.0.1 40000 typ host")
      .set("sdp_mline_index", 0)
      .set("id", "c1");
  bad.send(o);
  auto e = bad.waitForError("no_such_connection", "c1", Ms(10000));
  EXPECT_TRUE(e) << "received: " << ::testing::PrintToString(bad.received());
  roomGoesOn(bad, good, "candidate");
}

TEST_F(ControlWs, OversizeFrameIsTooLargeThenClosed) {
  WsClient bad, good;
  enter(good, "Good", "oversize");
  enter(bad, "Bad", "oversize");
  std::string big = R"({"type":"chat","text":")" + std::string(300 * 1024, 'x') + "\"}";
  bad.send(big);
  EXPECT_TRUE(bad.waitForError("too_large"));
  ASSERT_TRUE(bad.waitClosed());
  EXPECT_EQ(bad.closeCode(), 1009);
  EXPECT_TRUE(good.waitFor([](JsonObject* o) {
    return isType(o, "participant_left") && str(o, "reason") == "disconnected";
  }));
  roomGoesOn(bad, good, "oversize", false);
}

TEST_F(ControlWs, HugeFrameIsRefusedAndClosed) {
  WsClient bad, good;
  enter(good, "Good", "huge");
  enter(bad, "Bad", "huge");
  // Past libsoup's own limit the server cannot read the frame at all; it still must close the
  // socket (the typed error is best effort there) and keep the room going.
  bad.send(R"({"type":"chat","text":")" + std::string(5 * 1024 * 1024, 'x') + "\"}");
  ASSERT_TRUE(bad.waitClosed(Ms(10000)));
  EXPECT_NE(bad.closeCode(), 1000);
  roomGoesOn(bad, good, "huge", false);
}

TEST_F(ControlWs, InvalidUtf8IsBadJson) {
  WsClient good;
  enter(good, "Good", "utf8");
  RawWebSocket bad;  // libsoup's client will not send a text frame that is not UTF-8
  ASSERT_TRUE(bad.connect(stack_->controlPort()));
  ASSERT_TRUE(bad.sendText(R"({"type":"hello","name":"Bad"})"));
  ASSERT_FALSE(bad.readUntilType("welcome").empty());
  ASSERT_TRUE(bad.sendText(R"({"type":"join","room":"utf8"})"));
  ASSERT_FALSE(bad.readUntilType("joined").empty());
  ASSERT_TRUE(bad.sendText("{\"type\":\"chat\",\"text\":\"\xc3\x28\"}"));
  std::string err = bad.readUntilType("error");
  ASSERT_FALSE(err.empty());
  JsonObjectPtr e = json::parseObject(err, nullptr);
  EXPECT_EQ(str(e.get(), "code"), "bad_json");
  // libsoup then closes the socket itself (RFC 6455: 1007, invalid frame payload data).
  RawWebSocket::Frame f;
  do {
    f = bad.readFrame();
  } while (f.opcode == 1);
  EXPECT_EQ(f.opcode, 8);
  ASSERT_GE(f.payload.size(), 2u);
  EXPECT_EQ(
      (static_cast<unsigned char>(f.payload[0]) << 8) | static_cast<unsigned char>(f.payload[1]),
      1007);
  EXPECT_TRUE(good.noneWithin([](JsonObject* o) { return isType(o, "error"); }, Ms(200)));
  chat(good, "after utf8");
  EXPECT_TRUE(waitChat(good, "after utf8"));
}

TEST_F(ControlWs, JoinWithoutALiveMediaNodeIsMediaUnavailable) {
  // A private control node on a fresh Redis that no SFU has registered with.
  std::string dir = artifactDir("ControlWs.NoSfu");
  RedisServer redis(dir);
  auto ctl = startControl(dir, redis.port(), "ctl-nosfu");
  WsClient c;
  ASSERT_TRUE(c.connect(ctl.wsUrl()));
  ASSERT_FALSE(c.hello("Lonely").empty());
  json::Object j;
  j.set("type", "join").set("room", "empty").set("id", "j");
  c.send(j);
  EXPECT_TRUE(c.waitForError("media_unavailable", "j"));
  // Not half-joined: a room message is refused and a later join is allowed to try again.
  json::Object m;
  m.set("type", "chat").set("text", "anyone?").set("id", "m");
  c.send(m);
  EXPECT_TRUE(c.waitForError("not_in_room", "m"));
  EXPECT_EQ(redisCli(redis.port(), "HLEN carrel:room:empty:participants"), "0");
}
