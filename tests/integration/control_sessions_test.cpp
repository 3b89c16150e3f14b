// Client sessions of a control plane with accounts (real MariaDB, Redis, SFU): the access
// token on the WebSocket upgrade, join checks against the rooms table, one session per user,
// presence and the lobby, reconnect grace. One stack per test process (each ctest test is one).
#include <gtest/gtest.h>

#include "CarrelStack.hpp"
#include "MariaDbServer.hpp"
#include "TestEnv.hpp"
#include "WsClient.hpp"
#include "control_account_helpers.hpp"

using namespace carrel;
using namespace carrel::test;
using Ms = std::chrono::milliseconds;

namespace {

class ControlSessions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = artifactDir("ControlSessions");
    db = std::make_unique<MariaDbServer>(dir + "/db");
    StackOptions o;
    o.controlArgs = {"--mysql-socket", db->socket(), "--mysql-database", "carrel_sessions"};
    stack = std::make_unique<CarrelStack>(dir, o);
    port = stack->controlPort();
  }
  void TearDown() override {
    stack.reset();
    db.reset();
  }
  std::string dir;
  std::unique_ptr<MariaDbServer> db;
  std::unique_ptr<CarrelStack> stack;
  int port = 0;
};

}  // namespace

TEST_F(ControlSessions, TheUpgradeNeedsAValidToken) {
  UpgradeResult none = rawUpgrade(port, "/ws");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.errorCode(), "unauthorized");
  // Hostile tokens are refused like any bad one, and the server goes on.
  for (const std::string& t : std::vector<std::string>{
           "garbage", "%27%20OR%201%3D1%20--", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%ff%fe%00",
           std::string(5000, 'x'), "v1.1.aa.9999999999.bad"}) {
    UpgradeResult r = rawUpgrade(port, "/ws?token=" + t);
    EXPECT_EQ(r.status, 401) << t;
    EXPECT_EQ(r.errorCode(), "unauthorized") << t;
  }
  UpgradeResult badHeader = rawUpgrade(port, "/ws", "Authorization: Bearer nonsense\r\n");
  EXPECT_EQ(badHeader.status, 401);

  std::string token = accountToken(port, "mina", "Mina Park");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(rawUpgrade(port, "/ws", "Authorization: Bearer " + token + "\r\n").status, 101);

  // The account's display name is the participant's name, whatever hello says.
  WsClient c;
  ASSERT_TRUE(c.connect(wsUrlWithToken(port, token)));
  c.send(R"({"type":"hello","name":"<b>someone else</b>"})");
  auto welcome = c.waitForType("welcome");
  ASSERT_TRUE(welcome);
  JsonObject* user = json::getObject(welcome.get(), "user");
  ASSERT_TRUE(user);
  EXPECT_EQ(str(user, "display_name"), "Mina Park");
  EXPECT_GT(json::getInt(user, "id").value_or(0), 0);
  EXPECT_FALSE(json::getBool(user, "admin").value_or(true));

  // Logged out: the same token no longer opens a socket.
  EXPECT_EQ(rest(port, "POST", "/api/v1/auth/logout", "", token).status, 204);
  UpgradeResult revoked = rawUpgrade(port, "/ws?token=" + token);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(revoked.errorCode(), "unauthorized");

  // --allow-guests: name-only clients too, and accounts still known by their token.
  ControlProcess guests = startControl(
      dir, stack->redisPort(), "ctl-guests",
      {"--mysql-socket", db->socket(), "--mysql-database", "carrel_sessions", "--allow-guests"});
  WsClient g;
  ASSERT_TRUE(g.connect(guests.wsUrl()));
  g.send(R"({"type":"hello","name":"Guest Gil"})");
  auto gw = g.waitForType("welcome");
  ASSERT_TRUE(gw);
  EXPECT_EQ(json_object_get_null_member(gw.get(), "user"), TRUE);
  std::string again = accountToken(guests.port, "mina", "Mina Park");
  WsClient m;
  ASSERT_TRUE(m.connect(wsUrlWithToken(guests.port, again)));
  m.send(R"({"type":"hello","name":"x"})");
  auto mw = m.waitForType("welcome");
  ASSERT_TRUE(mw);
  EXPECT_EQ(str(json::getObject(mw.get(), "user"), "display_name"), "Mina Park");
}

namespace {

// Connects with the token, says hello, and sends a join with these extra fields; the reply
// ("joined" or "error").
JsonObjectPtr tryJoin(WsClient& c, int port, const std::string& token, const std::string& room,
                      const std::string& extra = "") {
  if (!c.isOpen()) {
    if (!c.connect(wsUrlWithToken(port, token))) return nullptr;
    if (c.hello("x").empty()) return nullptr;
  }
  c.send(R"({"type":"join","id":"j","room":")" + room + "\"" + extra + "}");
  return c.waitFor(
      [](JsonObject* m) {
        return str(m, "type") == "joined" || (str(m, "type") == "error" && str(m, "ref") == "j");
      },
      Ms(15000));
}

std::string outcome(const JsonObjectPtr& reply) {
  if (!reply) return "(nothing)";
  return str(reply.get(), "type") == "joined" ? "joined" : str(reply.get(), "code");
}

void leave(WsClient& c) {
  c.send(R"({"type":"leave"})");
  EXPECT_TRUE(c.waitForType("left"));
}

}  // namespace

TEST_F(ControlSessions, JoinChecksExistencePrivacyAndCapacity) {
  std::string olga = accountToken(port, "olga", "Olga Owner");
  std::string bob = accountToken(port, "bob", "Bob");
  std::string cy = accountToken(port, "cyra", "Cyra");
  ASSERT_FALSE(olga.empty() || bob.empty() || cy.empty());
  ASSERT_EQ(
      rest(port, "POST", "/api/v1/rooms", R"({"id":"open-1","title":"Open","capacity":2})", olga)
          .status,
      201);
  ASSERT_EQ(
      rest(port, "POST", "/api/v1/rooms",
           R"({"id":"pw-1","title":"Locked","private":true,"password":"secret-pass-1"})", olga)
          .status,
      201);
  Rest inviteOnly = rest(port, "POST", "/api/v1/rooms",
                         R"({"id":"inv-1","title":"Invite","private":true})", olga);
  ASSERT_EQ(inviteOnly.status, 201);
  std::string invite = str(json::getObject(inviteOnly.json.get(), "room"), "invite_code");
  ASSERT_EQ(invite.size(), 32u);

  WsClient b;
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "nosuch")), "no_such_room");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1")), "room_locked");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1", R"(,"password":"wrong-pass-1")")), "room_locked");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "inv-1", R"(,"invite":"0123456789abcdef")")),
            "room_locked");
  // Hostile strings in the new fields are refused or simply wrong, never a crash.
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1", R"(,"password":"' OR '1'='1")")), "room_locked");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "inv-1", R"(,"invite":"<script>x</script>")")),
            "room_locked");
  EXPECT_EQ(
      outcome(tryJoin(b, port, bob, "pw-1", ",\"password\":\"" + std::string(129, 'p') + "\"")),
      "invalid_field");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1", R"(,"password":7)")), "invalid_field");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "inv-1", R"(,"invite":"")")), "invalid_field");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "x' OR 1=1 --")), "invalid_field");

  EXPECT_EQ(outcome(tryJoin(b, port, bob, "pw-1", R"(,"password":"secret-pass-1")")), "joined");
  leave(b);
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "inv-1", R"(,"invite":")" + invite + "\"")), "joined");
  leave(b);
  WsClient o;
  EXPECT_EQ(outcome(tryJoin(o, port, olga, "inv-1")), "joined") << "the owner needs no invite";
  leave(o);

  // Capacity 2: the third is refused, a seat freed by a leave is taken again.
  WsClient c;
  EXPECT_EQ(outcome(tryJoin(o, port, olga, "open-1")), "joined");
  EXPECT_EQ(outcome(tryJoin(b, port, bob, "open-1")), "joined");
  EXPECT_EQ(outcome(tryJoin(c, port, cy, "open-1")), "room_full");
  EXPECT_EQ(redisCli(stack->redisPort(), "HLEN carrel:room:open-1:participants"), "2");
  EXPECT_TRUE(
      c.noneWithin([](JsonObject* m) { return str(m, "type") == "participant_joined"; }, Ms(300)));
  leave(b);
  EXPECT_EQ(outcome(tryJoin(c, port, cy, "open-1")), "joined");
}
