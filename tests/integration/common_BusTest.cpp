// The bus between real nodes over a real Redis: requests, typed errors, timeouts, events.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "Bus.hpp"
#include "Json.hpp"
#include "MainContextPump.hpp"
#include "RedisServer.hpp"
#include "TestEnv.hpp"

using namespace carrel;
using carrel::test::pumpUntil;

namespace {

struct Node {
  Node(int port, const std::string& id)
      : pub("127.0.0.1", port, id + "-pub"),
        sub("127.0.0.1", port, id + "-sub"),
        bus(pub, sub, id) {
    pub.start(100);
    sub.start(100);
  }
  bool ready() const { return pub.connected() && sub.connected(); }
  RedisConnection pub;
  RedisConnection sub;
  Bus bus;
};

class BusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis = std::make_unique<test::RedisServer>(test::artifactDir(
        std::string("BusTest.") + ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    control = std::make_unique<Node>(redis->port(), "ctl-a");
    sfu = std::make_unique<Node>(redis->port(), "sfu-a");
    ASSERT_TRUE(pumpUntil([&] { return control->ready() && sfu->ready(); }));
    // SUBSCRIBE is asynchronous: give the server a moment to register it.
    pumpUntil([] { return false; }, 200);
  }
  std::unique_ptr<test::RedisServer> redis;
  std::unique_ptr<Node> control;
  std::unique_ptr<Node> sfu;
};

JsonObjectPtr roomPeer() {
  json::Object o;
  o.set("room", "algebra").set("peer", "p1");
  return o.take();
}

}  // namespace

TEST_F(BusTest, RequestGetsResponse) {
  sfu->bus.handle(bus::method::PeerAdd, [](const bus::Request& r, BusResponder resp) {
    json::Object d;
    d.set("echo", json::getString(r.data.get(), "peer").value_or(""));
    resp.ok(d.take());
  });
  std::optional<bus::Response> got;
  control->bus.request("sfu-a", bus::method::PeerAdd, roomPeer(), [&](const bus::Response& r) {
    got = bus::Response{r.id, r.from, r.ok, refObject(r.data.get()), r.error};
  });
  ASSERT_TRUE(pumpUntil([&] { return got.has_value(); }));
  EXPECT_TRUE(got->ok) << got->error.message;
  EXPECT_EQ(got->from, "sfu-a");
  EXPECT_EQ(json::getString(got->data.get(), "echo").value(), "p1");
}

TEST_F(BusTest, HandlerErrorIsTyped) {
  sfu->bus.handle(bus::method::PeerRemove, [](const bus::Request&, BusResponder resp) {
    resp.fail(bus::error::NoSuchPeer, "no peer p1 in algebra");
  });
  std::string code;
  control->bus.request("sfu-a", bus::method::PeerRemove, roomPeer(),
                       [&](const bus::Response& r) { code = r.ok ? "ok" : r.error.code; });
  ASSERT_TRUE(pumpUntil([&] { return !code.empty(); }));
  EXPECT_EQ(code, bus::error::NoSuchPeer);
}

TEST_F(BusTest, UnhandledMethodAndInvalidDataAreAnswered) {
  std::string code1, code2;
  control->bus.request(
      "sfu-a", bus::method::RoomClose,
      [] {
        json::Object o;
        o.set("room", "r");
        return o.take();
      }(),
      [&](const bus::Response& r) { code1 = r.ok ? "ok" : r.error.code; });
  // Invalid data (no peer) is refused by the receiving node's decoder, still with a response.
  json::Object bad;
  bad.set("room", "r");
  control->bus.request("sfu-a", bus::method::PeerAdd, bad.take(),
                       [&](const bus::Response& r) { code2 = r.ok ? "ok" : r.error.code; });
  ASSERT_TRUE(pumpUntil([&] { return !code1.empty() && !code2.empty(); }));
  EXPECT_EQ(code1, bus::error::UnknownMethod);
  EXPECT_EQ(code2, bus::error::BadMessage);
}

TEST_F(BusTest, SilentNodeTimesOut) {
  std::shared_ptr<BusResponder> held;
  sfu->bus.handle(bus::method::PeerAdd, [&](const bus::Request&, BusResponder resp) {
    held = std::make_shared<BusResponder>(std::move(resp));  // never answered
  });
  std::string code;
  control->bus.request(
      "sfu-a", bus::method::PeerAdd, roomPeer(),
      [&](const bus::Response& r) { code = r.ok ? "ok" : r.error.code; }, 300);
  ASSERT_TRUE(pumpUntil([&] { return !code.empty(); }));
  EXPECT_EQ(code, bus::error::Timeout);
  // A late answer after the timeout is ignored without harm.
  held->ok();
  pumpUntil([] { return false; }, 100);
}

TEST_F(BusTest, MissingNodeIsUnavailable) {
  std::string code;
  control->bus.request("sfu-nobody", bus::method::PeerAdd, roomPeer(),
                       [&](const bus::Response& r) { code = r.ok ? "ok" : r.error.code; });
  ASSERT_TRUE(pumpUntil([&] { return !code.empty(); }));
  EXPECT_EQ(code, bus::error::Unavailable);
}

TEST_F(BusTest, EventsReachTheirNode) {
  std::string name, track;
  control->bus.onEvent([&](const bus::Event& e) {
    name = e.name;
    track = json::getString(e.data.get(), "track").value_or("");
  });
  json::Object d;
  d.set("room", "algebra").set("peer", "p1").set("track", "video0").set("kind", "video");
  sfu->bus.emit("ctl-a", bus::event::TrackPublished, d.take());
  ASSERT_TRUE(pumpUntil([&] { return !name.empty(); }));
  EXPECT_EQ(name, bus::event::TrackPublished);
  EXPECT_EQ(track, "video0");
}

TEST_F(BusTest, GarbageOnTheChannelDoesNotHurt) {
  control->pub.command({"PUBLISH", bus::channelFor("sfu-a"), "{garbage"});
  control->pub.command({"PUBLISH", bus::channelFor("sfu-a"), std::string(2 * 1024 * 1024, 'x')});
  sfu->bus.handle(bus::method::NodeInfo, [](const bus::Request&, BusResponder resp) { resp.ok(); });
  bool answered = false;
  control->bus.request("sfu-a", bus::method::NodeInfo, {},
                       [&](const bus::Response& r) { answered = r.ok; });
  ASSERT_TRUE(pumpUntil([&] { return answered; }));
}

TEST_F(BusTest, ReconnectsAfterRedisRestart) {
  int port = redis->port();
  redis.reset();
  ASSERT_TRUE(pumpUntil([&] { return !control->pub.connected() && !sfu->sub.connected(); }));
  std::string code;
  control->bus.request("sfu-a", bus::method::NodeInfo, {},
                       [&](const bus::Response& r) { code = r.ok ? "ok" : r.error.code; });
  ASSERT_TRUE(pumpUntil([&] { return !code.empty(); }));
  EXPECT_EQ(code, bus::error::Unavailable);

  // Same port again: the nodes reconnect and resubscribe by themselves.
  auto dir = test::artifactDir("BusTest.Reconnect2");
  test::Process again({"/usr/bin/redis-server", "--port", std::to_string(port), "--bind",
                       "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir},
                      dir + "/redis.log");
  ASSERT_TRUE(test::waitForTcp(port, 10000));
  ASSERT_TRUE(pumpUntil([&] { return control->ready() && sfu->ready(); }, 10000));
  pumpUntil([] { return false; }, 200);
  sfu->bus.handle(bus::method::NodeInfo, [](const bus::Request&, BusResponder resp) { resp.ok(); });
  code.clear();
  control->bus.request("sfu-a", bus::method::NodeInfo, {},
                       [&](const bus::Response& r) { code = r.ok ? "ok" : r.error.code; });
  ASSERT_TRUE(pumpUntil([&] { return !code.empty(); }));
  EXPECT_EQ(code, "ok");
  control.reset();
  sfu.reset();
}
