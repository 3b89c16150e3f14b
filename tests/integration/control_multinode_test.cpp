// Two control nodes on one Redis behave as one server: a chat sent on node A reaches a client
// on node B, joins and leaves are announced across nodes, and both see the same participants.
// Also: SIGTERM makes a node leave its rooms (Redis and the other clients see it) and exit 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
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

struct Joined {
  std::string id;
  std::set<std::string> others;
};

Joined enter(WsClient& c, const std::string& url, const std::string& name,
             const std::string& room) {
  Joined j;
  EXPECT_TRUE(c.connect(url));
  j.id = c.hello(name);
  json::Object m;
  m.set("type", "join").set("room", room);
  c.send(m);
  auto joined = c.waitForType("joined", Ms(10000));
  EXPECT_TRUE(joined) << name;
  if (!joined) return j;
  JsonArray* list = json::getArray(joined.get(), "participants");
  for (guint i = 0; list && i < json_array_get_length(list); ++i) {
    j.others.insert(str(json_array_get_object_element(list, i), "participant"));
  }
  return j;
}

std::set<std::string> redisParticipants(int port, const std::string& room) {
  std::string out = redisCli(port, "HKEYS carrel:room:" + room + ":participants");
  std::set<std::string> ids;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t eol = out.find('\n', pos);
    if (eol == std::string::npos) eol = out.size();
    if (eol > pos) ids.insert(out.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return ids;
}

}  // namespace

TEST(ControlMultiNode, TwoNodesActAsOne) {
  StackOptions o;
  o.controlNodes = 2;
  CarrelStack stack(artifactDir("ControlMultiNode.TwoNodes"), o);
  WsClient a, b, c;
  Joined ja = enter(a, stack.wsUrl(0), "Ana", "shared");
  Joined jb = enter(b, stack.wsUrl(1), "Bo", "shared");
  EXPECT_EQ(jb.others, std::set<std::string>{ja.id});
  auto pj = a.waitFor([&](JsonObject* m) {
    return isType(m, "participant_joined") && str(m, "participant") == jb.id;
  });
  ASSERT_TRUE(pj) << "node A did not hear of a join on node B";
  EXPECT_EQ(str(pj.get(), "name"), "Bo");

  json::Object chat;
  chat.set("type", "chat").set("text", "hello from A");
  a.send(chat);
  auto got = b.waitFor(
      [](JsonObject* m) { return isType(m, "chat") && str(m, "text") == "hello from A"; });
  ASSERT_TRUE(got) << "chat on node A did not reach node B";
  EXPECT_EQ(str(json::getObject(got.get(), "from"), "participant"), ja.id);
  json::Object back;
  back.set("type", "chat").set("text", "hello from B");
  b.send(back);
  EXPECT_TRUE(a.waitFor(
      [](JsonObject* m) { return isType(m, "chat") && str(m, "text") == "hello from B"; }));

  // A third participant on node A sees both; every view of the room agrees with Redis.
  Joined jc = enter(c, stack.wsUrl(0), "Cy", "shared");
  EXPECT_EQ(jc.others, (std::set<std::string>{ja.id, jb.id}));
  EXPECT_TRUE(b.waitFor([&](JsonObject* m) {
    return isType(m, "participant_joined") && str(m, "participant") == jc.id;
  }));
  EXPECT_EQ(redisParticipants(stack.redisPort(), "shared"),
            (std::set<std::string>{ja.id, jb.id, jc.id}));
  // Both nodes placed the room on the same media node.
  EXPECT_EQ(redisCli(stack.redisPort(), "GET carrel:room:shared:sfu"), stack.sfuNodeId());

  // A leave on node B reaches the clients of node A.
  json::Object leave;
  leave.set("type", "leave");
  b.send(leave);
  for (WsClient* w : {&a, &c}) {
    auto pl = w->waitFor([&](JsonObject* m) {
      return isType(m, "participant_left") && str(m, "participant") == jb.id;
    });
    ASSERT_TRUE(pl);
    EXPECT_EQ(str(pl.get(), "reason"), "left");
  }
  EXPECT_EQ(redisParticipants(stack.redisPort(), "shared"), (std::set<std::string>{ja.id, jc.id}));

  // Node A goes away cleanly: its participants leave (seen by B's clients and Redis), exit 0.
  WsClient d;
  Joined jd = enter(d, stack.wsUrl(1), "Di", "shared");
  EXPECT_EQ(jd.others, (std::set<std::string>{ja.id, jc.id}));
  EXPECT_EQ(stack.control(0).stop(), 0);
  std::set<std::string> gone;
  for (int i = 0; i < 2; ++i) {
    auto pl = d.waitFor([](JsonObject* m) { return isType(m, "participant_left"); });
    ASSERT_TRUE(pl);
    EXPECT_EQ(str(pl.get(), "reason"), "disconnected");
    gone.insert(str(pl.get(), "participant"));
  }
  EXPECT_EQ(gone, (std::set<std::string>{ja.id, jc.id}));
  EXPECT_EQ(redisParticipants(stack.redisPort(), "shared"), std::set<std::string>{jd.id});
  EXPECT_TRUE(a.waitClosed());
  EXPECT_EQ(a.closeCode(), 1001);
}
