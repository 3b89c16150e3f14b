// Reconnect grace through a real carrel-control, SFU and Redis: a client whose WebSocket
// drops without "leave" keeps its place; back within the grace with its resume token it is
// the same participant in the same room and the others see no leave and no join; past the
// grace it leaves as "disconnected".
#include <gtest/gtest.h>

#include "CarrelStack.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"
#include "control_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

JsonObjectPtr helloWith(WsClient& c, const std::string& url, const std::string& extra) {
  if (!c.connect(url)) return nullptr;
  c.send(R"({"type":"hello","name":"Ana")" + extra + "}");
  return c.waitFor(
      [](JsonObject* m) { return str(m, "type") == "welcome" || str(m, "type") == "error"; });
}

bool joinRoom(WsClient& c, const std::string& room) {
  c.send(R"({"type":"join","room":")" + room + "\"}");
  return c.waitForType("joined", Ms(10000)) != nullptr;
}

bool about(JsonObject* m, const char* type, const std::string& participant) {
  return str(m, "type") == type && str(m, "participant") == participant;
}

}  // namespace

TEST(ControlReconnect, ResumeKeepsThePlaceAndThePastGraceLeaves) {
  StackOptions o;
  o.controlArgs = {"--reconnect-grace-ms", "3000"};
  CarrelStack stack(artifactDir("ControlReconnect"), o);
  WsClient a, b;
  auto welcome = helloWith(a, stack.wsUrl(), "");
  ASSERT_TRUE(welcome);
  std::string id = str(welcome.get(), "participant");
  std::string token = str(welcome.get(), "resume_token");
  EXPECT_EQ(token.size(), 32u);
  EXPECT_FALSE(json::getBool(welcome.get(), "resumed").value_or(true));
  ASSERT_TRUE(joinRoom(a, "r1"));
  ASSERT_TRUE(b.connect(stack.wsUrl()));
  std::string bId = b.hello("Bo");
  ASSERT_TRUE(joinRoom(b, "r1"));

  // The socket drops without a leave; the client comes back with its token.
  a.close();
  ASSERT_TRUE(a.waitClosed());
  EXPECT_TRUE(
      b.noneWithin([&](JsonObject* m) { return about(m, "participant_left", id); }, Ms(800)));
  WsClient a2;
  auto back = helloWith(a2, stack.wsUrl(), R"(,"id":"h","resume":")" + token + "\"");
  ASSERT_TRUE(back);
  EXPECT_EQ(str(back.get(), "participant"), id);
  EXPECT_TRUE(json::getBool(back.get(), "resumed").value_or(false));
  auto resumed = a2.waitForType("resumed", Ms(10000));
  ASSERT_TRUE(resumed);
  EXPECT_EQ(str(resumed.get(), "room"), "r1");
  EXPECT_EQ(str(resumed.get(), "ref"), "h");
  JsonArray* others = json::getArray(resumed.get(), "participants");
  ASSERT_TRUE(others && json_array_get_length(others) == 1);
  EXPECT_EQ(str(json_array_get_object_element(others, 0), "participant"), bId);
  // Still in the room: a chat goes out under the same participant id.
  a2.send(R"({"type":"chat","text":"back again"})");
  auto chat = b.waitFor([](JsonObject* m) { return str(m, "type") == "chat"; });
  ASSERT_TRUE(chat);
  EXPECT_EQ(str(json::getObject(chat.get(), "from"), "participant"), id);
  EXPECT_TRUE(b.noneWithin(
      [&](JsonObject* m) {
        return about(m, "participant_left", id) || about(m, "participant_joined", id);
      },
      Ms(300)));
  EXPECT_EQ(redisCli(stack.redisPort(), "HEXISTS carrel:room:r1:participants " + id), "1");

  // Wrong, hostile or malformed tokens: a fresh participant, or a typed error.
  WsClient x, y, z;
  auto other = helloWith(x, stack.wsUrl(), R"(,"resume":"' OR 1=1 --")");
  ASSERT_TRUE(other);
  EXPECT_NE(str(other.get(), "participant"), id);
  EXPECT_FALSE(json::getBool(other.get(), "resumed").value_or(true));
  auto tooLong = helloWith(y, stack.wsUrl(), ",\"resume\":\"" + std::string(65, 'a') + "\"");
  ASSERT_TRUE(tooLong);
  EXPECT_EQ(str(tooLong.get(), "code"), "invalid_field");
  auto notString = helloWith(z, stack.wsUrl(), R"(,"resume":42)");
  ASSERT_TRUE(notString);
  EXPECT_EQ(str(notString.get(), "code"), "invalid_field");

  // Gone for longer than the grace: a normal leave, and the token no longer works.
  a2.close();
  auto left = b.waitFor([&](JsonObject* m) { return about(m, "participant_left", id); }, Ms(15000));
  ASSERT_TRUE(left);
  EXPECT_EQ(str(left.get(), "reason"), "disconnected");
  WsClient late;
  auto lateWelcome = helloWith(late, stack.wsUrl(), R"(,"resume":")" + token + "\"");
  ASSERT_TRUE(lateWelcome);
  EXPECT_FALSE(json::getBool(lateWelcome.get(), "resumed").value_or(true));
  EXPECT_NE(str(lateWelcome.get(), "participant"), id);

  // An explicit leave is final: no grace.
  WsClient c;
  ASSERT_TRUE(c.connect(stack.wsUrl()));
  std::string cId = c.hello("Cy");
  ASSERT_TRUE(joinRoom(c, "r1"));
  c.send(R"({"type":"leave"})");
  ASSERT_TRUE(c.waitForType("left"));
  auto cl = b.waitFor([&](JsonObject* m) { return about(m, "participant_left", cId); });
  ASSERT_TRUE(cl);
  EXPECT_EQ(str(cl.get(), "reason"), "left");
}
